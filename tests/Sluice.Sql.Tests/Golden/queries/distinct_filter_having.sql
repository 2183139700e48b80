CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');

SELECT auction, COUNT(DISTINCT channel) AS channels, COUNT(*) FILTER (WHERE price > 50) AS big,
  SUM(DISTINCT bidder) AS bidders
FROM bid GROUP BY auction HAVING COUNT(*) >= 3;
