CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'golden', 'input' = 'bid');

SELECT auction, DATE_FORMAT(ts, 'HH:mm:ss') AS hms, SECOND(ts) AS s, FLOOR(ts TO MINUTE) AS m,
  TIMESTAMPADD(SECOND, 30, ts) AS later
FROM bid WHERE bidder = 10;
