CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');

SELECT n, COUNT(*) AS auctions FROM (SELECT auction, COUNT(*) AS n FROM bid GROUP BY auction) GROUP BY n;
