CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');

SELECT auction,
  CASE WHEN price >= 65 THEN 'high' WHEN price >= 40 THEN 'mid' ELSE 'low' END AS band,
  CAST(price AS DOUBLE) / 4 AS quarter,
  CAST(bidder AS STRING) || '-' || COALESCE(channel, 'none') AS tag
FROM bid WHERE auction = 3;
