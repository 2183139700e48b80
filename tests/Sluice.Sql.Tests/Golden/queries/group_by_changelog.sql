-- golden: changelog
CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');

SELECT auction, COUNT(*) AS n, SUM(price) AS total FROM bid GROUP BY auction;
