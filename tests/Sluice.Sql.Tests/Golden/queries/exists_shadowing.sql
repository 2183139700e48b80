CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');
CREATE TABLE auction (id BIGINT, seller STRING, category INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'auction');

SELECT a.id FROM auction a WHERE EXISTS (SELECT * FROM bid b WHERE b.auction = a.id AND ts > TIMESTAMP '2026-12-05 10:00:12');
