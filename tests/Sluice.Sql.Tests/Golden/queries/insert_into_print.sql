-- golden: changelog
CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');
CREATE TABLE app_bids (auction BIGINT, n BIGINT) WITH ('connector' = 'print');

INSERT INTO app_bids SELECT auction, COUNT(*) FROM bid WHERE channel = 'app' GROUP BY auction;
