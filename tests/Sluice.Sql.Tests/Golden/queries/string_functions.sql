CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');

SELECT bidder, UPPER(channel) AS up, CHAR_LENGTH(channel) AS len, SUBSTRING(channel, 2) AS rest,
  CONCAT_WS('/', channel, CAST(auction AS STRING)) AS path
FROM bid WHERE bidder = 12 OR bidder = 13;
