-- Every symbol's hourly closing price since a time: the portfolio's value over time, from the 1h
-- candles.
SELECT SYMBOL, BUCKET_START, CLOSE
FROM CORE.OHLCV
WHERE TIMEFRAME = '1h' AND BUCKET_START >= DATEADD(HOUR, -1, %(since)s)
ORDER BY BUCKET_START, SYMBOL;
