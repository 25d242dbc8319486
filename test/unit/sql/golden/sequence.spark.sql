WITH
src AS (
  SELECT `namespace` AS _ns, `person_id` AS _id, `timestamp` AS _ts, unix_millis(`timestamp`) AS _t, NULL AS _sid, `event_order` AS _o, `orders` AS v0, `page_name` AS v1, CAST(LENGTH(`namespace`) AS VARCHAR) || ':' || `namespace` || CAST(`person_id` AS VARCHAR) AS _p
  FROM analytics.events
),
l0a AS (
  SELECT b.*, ROW_NUMBER() OVER (PARTITION BY _p ORDER BY _t, _o) AS _pos FROM src b
),
l0b AS (
  SELECT b.*, CASE WHEN _pos = 1 THEN 1 WHEN _t - LAG(_t) OVER (PARTITION BY _p ORDER BY _pos) > 1800000 THEN 1 ELSE 0 END AS _new FROM l0a b
),
l0 AS (
  SELECT b.*, SUM(_new) OVER (PARTITION BY _p ORDER BY _pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS _s FROM l0b b
),
q1_sp1 AS (
  SELECT x._p AS _p, x._pos AS s, x._pos AS e, x._ts AS s_ts, x._t AS s_t, x._s AS s_sn, x._ts AS e_ts, x._t AS e_t, x._s AS e_sn
  FROM l0 x WHERE (CASE WHEN v1 IS NOT NULL AND (v1 = 'Cart') THEN 1 ELSE 0 END) = 1
),
q1_sp2 AS (
  SELECT x._p AS _p, x._pos AS s, x._pos AS e, x._ts AS s_ts, x._t AS s_t, x._s AS s_sn, x._ts AS e_ts, x._t AS e_t, x._s AS e_sn
  FROM l0 x WHERE (CASE WHEN v1 IS NOT NULL AND (v1 = 'Checkout') THEN 1 ELSE 0 END) = 1
),
q1_sp3 AS (
  SELECT x._p AS _p, x._pos AS s, x._pos AS e, x._ts AS s_ts, x._t AS s_t, x._s AS s_sn, x._ts AS e_ts, x._t AS e_t, x._s AS e_sn
  FROM l0 x WHERE (CASE WHEN COALESCE(v0, 0) > 0 THEN 1 ELSE 0 END) = 1
),
q1_f1 AS (
  SELECT DISTINCT sp._p AS _p, sp.e AS e, sp.e_ts AS e_ts, sp.e_t AS e_t, sp.e_sn AS e_sn FROM q1_sp1 sp
),
q1_f2 AS (
  SELECT DISTINCT sp._p AS _p, sp.e AS e, sp.e_ts AS e_ts, sp.e_t AS e_t, sp.e_sn AS e_sn FROM q1_f1 f JOIN q1_sp2 sp ON f._p = sp._p
  WHERE sp.s > f.e
    AND sp.s_ts <= (f.e_ts + make_ym_interval(0, 1))
),
q1_f3 AS (
  SELECT DISTINCT sp._p AS _p, sp.e AS e, sp.e_ts AS e_ts, sp.e_t AS e_t, sp.e_sn AS e_sn FROM q1_f2 f JOIN q1_sp3 sp ON f._p = sp._p
  WHERE sp.s > f.e
    AND sp.s_sn > f.e_sn + 2
),
q1 AS (
  SELECT DISTINCT f._p AS _p, 1 AS hit FROM q1_f3 f
),
l1 AS (
  SELECT p.*, COALESCE(r.hit, 0) AS c2
  FROM l0 p LEFT JOIN q1 r ON p._p = r._p
),
audience AS (
  SELECT DISTINCT _ns AS `namespace`, _id AS `id`
  FROM l1
  WHERE c2 = 1
)
SELECT `namespace`, `id` FROM audience
ORDER BY `namespace`, `id`;
