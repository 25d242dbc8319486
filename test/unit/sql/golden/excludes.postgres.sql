WITH
src AS (
  SELECT "namespace" AS _ns, "person_id" AS _id, "timestamp" AS _ts, CAST(EXTRACT(EPOCH FROM "timestamp") * 1000 AS BIGINT) AS _t, NULL AS _sid, "event_order" AS _o, "orders" AS v0, "page_name" AS v1, CAST(LENGTH("namespace") AS VARCHAR) || ':' || "namespace" || CAST("person_id" AS VARCHAR) AS _p
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
  SELECT x._p AS _p, x._pos AS s, x._pos AS e, x._t AS s_t, x._s AS s_sn, x._t AS e_t, x._s AS e_sn
  FROM l0 x WHERE (CASE WHEN v1 IS NOT NULL AND (v1 = 'Checkout') THEN 1 ELSE 0 END) = 1
),
q1_sp2 AS (
  SELECT x._p AS _p, x._pos AS s, x._pos AS e, x._t AS s_t, x._s AS s_sn, x._t AS e_t, x._s AS e_sn
  FROM l0 x WHERE (CASE WHEN COALESCE(v0, 0) > 0 THEN 1 ELSE 0 END) = 1
),
q1_t0 AS (
  SELECT p._p AS _p, p._pos AS _pos, p._t AS _t, p._s AS _sn, CASE WHEN (CASE WHEN COALESCE(v0, 0) > 0 THEN 1 ELSE 0 END) = 1 THEN p._pos END AS x1_0s, CASE WHEN (CASE WHEN COALESCE(v0, 0) > 0 THEN 1 ELSE 0 END) = 1 THEN p._pos END AS x1_0e, CASE WHEN (CASE WHEN COALESCE(v0, 0) > 0 THEN 1 ELSE 0 END) = 1 THEN 1 ELSE 0 END AS x1_0f
  FROM l0 p
),
q1_tl AS (
  SELECT tw1.*, MAX(tw1._pos) OVER (PARTITION BY tw1._p) AS w1_1, MAX(tw1._pos) OVER (PARTITION BY tw1._p ORDER BY tw1._t RANGE BETWEEN CURRENT ROW AND 1800000 FOLLOWING) AS w1_2, MIN(tw1.x1_0s) OVER (PARTITION BY tw1._p ORDER BY tw1._pos ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS w1_3, MIN(tw1.x1_0e) OVER (PARTITION BY tw1._p ORDER BY tw1._pos ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS w1_4 FROM q1_t0 tw1
),
q1_tl2 AS (
  SELECT tw2.* FROM q1_tl tw2
),
q1_r1 AS (
  SELECT DISTINCT r1_1._p AS _p, r1_1.e AS e
  FROM q1_sp1 r1_1 JOIN q1_tl2 t1_1 ON t1_1._p = r1_1._p AND CAST(t1_1._pos AS BIGINT) = CAST(r1_1.s AS BIGINT)
),
q1_hit AS (
  SELECT DISTINCT r1_2._p AS _p, 1 AS hit
  FROM q1_r1 r1_2 JOIN q1_tl2 t1_2 ON t1_2._p = r1_2._p AND CAST(t1_2._pos AS BIGINT) = CAST(r1_2.e AS BIGINT)
  WHERE NOT (COALESCE(t1_2.w1_3, 2147483647) <= LEAST(t1_2.w1_1, t1_2.w1_2))
),
l1 AS (
  SELECT p.*, COALESCE(r.hit, 0) AS c2
  FROM l0 p LEFT JOIN q1_hit r ON p._p = r._p
),
audience AS (
  SELECT DISTINCT _ns AS "namespace", _id AS "id"
  FROM l1
  WHERE c2 = 1
)
SELECT "namespace", "id" FROM audience
ORDER BY "namespace" COLLATE "C", "id" COLLATE "C";
