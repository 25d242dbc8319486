WITH
src AS (
  SELECT "namespace" AS _ns, "person_id" AS _id, "timestamp" AS _ts, CAST(EXTRACT(EPOCH FROM "timestamp") * 1000 AS BIGINT) AS _t, NULL AS _sid, "event_order" AS _o, "orders" AS v0, "page_name" AS v1
  FROM analytics.events
),
l0a AS (
  SELECT s.*, DENSE_RANK() OVER (ORDER BY _ns, _id) AS _p FROM src s
),
l0b AS (
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY _p ORDER BY _t, _o) AS _pos FROM l0a s
),
l0c AS (
  SELECT s.*, CASE WHEN _pos = 1 THEN 1 WHEN _t - LAG(_t) OVER (PARTITION BY _p ORDER BY _pos) > 1800000 THEN 1 ELSE 0 END AS _new FROM l0b s
),
l0 AS (
  SELECT s.*, SUM(_new) OVER (PARTITION BY _p ORDER BY _pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS _s FROM l0c s
),
q1_sp1 AS (
  SELECT x._p AS _p, x._pos AS s, x._pos AS e, x._t AS s_t, x._s AS s_sn, x._t AS e_t, x._s AS e_sn
  FROM l0 x WHERE (CASE WHEN v1 IS NOT NULL AND (v1 = 'Checkout') THEN 1 ELSE 0 END) = 1
),
q1_sp2 AS (
  SELECT x._p AS _p, x._pos AS s, x._pos AS e, x._t AS s_t, x._s AS s_sn, x._t AS e_t, x._s AS e_sn
  FROM l0 x WHERE (CASE WHEN COALESCE(v0, 0) > 0 THEN 1 ELSE 0 END) = 1
),
q1_f1 AS (
  SELECT DISTINCT sp._p AS _p, sp.e AS e, sp.e_t AS e_t, sp.e_sn AS e_sn FROM q1_sp1 sp
),
q1 AS (
  SELECT DISTINCT f._p AS _p, 1 AS hit FROM q1_f1 f
  WHERE NOT EXISTS (SELECT 1 FROM q1_sp2 x WHERE x._p = f._p AND x.s > f.e AND x.s_t <= f.e_t + 1800000)
),
l1 AS (
  SELECT p.*, COALESCE(r.hit, 0) AS c2
  FROM l0 p LEFT JOIN q1 r ON p._p = r._p
),
audience AS (
  SELECT DISTINCT _ns AS "namespace", _id AS "id"
  FROM l1
  WHERE c2 = 1
)
SELECT "namespace", "id" FROM audience
ORDER BY "namespace" COLLATE "C", "id" COLLATE "C";
