-- One symbol's candles of one timeframe from a time on (the page passes its last trade's time minus
-- the range, so that only those candles are read).
SELECT BUCKET_START, OPEN, HIGH, LOW, CLOSE, VOLUME, TRADE_COUNT
FROM CORE.OHLCV
WHERE SYMBOL = %(symbol)s AND TIMEFRAME = %(timeframe)s AND BUCKET_START >= %(since)s
ORDER BY BUCKET_START;
