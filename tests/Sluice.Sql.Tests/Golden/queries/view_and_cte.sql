CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');
CREATE TABLE auction (id BIGINT, seller STRING, category INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'auction');
CREATE VIEW big_bids AS SELECT auction, bidder, price FROM bid WHERE price > 50;

WITH per_auction AS (SELECT auction, MAX(price) AS top FROM big_bids GROUP BY auction)
SELECT p.auction, p.top, a.seller FROM per_auction p LEFT JOIN auction a ON p.auction = a.id;
