CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');
CREATE TABLE auction (id BIGINT, seller STRING, category INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'auction');

SELECT auction AS id, CAST('bid' AS STRING) AS source FROM bid WHERE price >= 100
UNION ALL
SELECT id, CAST('auction' AS STRING) FROM auction WHERE category = 10;
