WITH
src AS (
  SELECT `namespace` AS _ns, `person_id` AS _id, `timestamp` AS _ts, unix_millis(`timestamp`) AS _t, NULL AS _sid, `event_order` AS _o, `marketing.campaign` AS v0, `orders` AS v1, `page_name` AS v2, CAST(LENGTH(`namespace`) AS VARCHAR) || ':' || `namespace` || CAST(`person_id` AS VARCHAR) AS _p
  FROM analytics.events
),
l0 AS (
  SELECT b.* FROM src b
),
l1 AS (
  SELECT p.*, MAX((CASE WHEN v2 IS NOT NULL AND (v2 LIKE 'Check%out*' ESCAPE '!') THEN 1 ELSE 0 END)) OVER (PARTITION BY _p) AS c1 FROM l0 p
),
l2 AS (
  SELECT p.*, MAX((CASE WHEN v0 IS NOT NULL AND (LOWER(v0) LIKE '%50!%!_off%' ESCAPE '!') THEN 1 ELSE 0 END)) OVER (PARTITION BY _p) AS c2 FROM l1 p
),
l3 AS (
  SELECT p.*, SUM(COALESCE(v1, 0)) OVER (PARTITION BY _p) AS c3 FROM l2 p
),
audience AS (
  SELECT DISTINCT _ns AS `namespace`, _id AS `id`
  FROM l3
  WHERE (CASE WHEN c1 = 1 AND c2 = 1 AND (CASE WHEN c3 >= 1 THEN 1 ELSE 0 END) = 1 THEN 1 ELSE 0 END) = 1
)
SELECT `namespace`, `id` FROM audience
ORDER BY `namespace`, `id`;
