-- One symbol's trades from a time on (the live tick line: the page passes its last trade's time
-- minus a few minutes, so that only those minutes are read), in arrival order for equal times.
SELECT TRADE_TS, PRICE, SIZE
FROM CORE.TRADES
WHERE SYMBOL = %(symbol)s AND TRADE_TS >= %(since)s
ORDER BY TRADE_TS, KAFKA_PARTITION, KAFKA_OFFSET;
