CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');
CREATE TABLE auction (id BIGINT, seller STRING, category INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'auction');

SELECT a.id FROM auction a WHERE a.id NOT IN (SELECT b.price / 50 FROM bid b WHERE b.bidder = a.id + 9);
