CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');

SELECT bidder, channel IS NULL AS missing, COALESCE(price, 0) AS p, NULLIF(channel, 'web') AS other,
  price IS DISTINCT FROM 100 AS changed
FROM bid WHERE auction = 1 OR channel IS NULL;
