-- One symbol's candles of one timeframe over a window ending at its last trade.
SELECT BUCKET_START, OPEN, HIGH, LOW, CLOSE, VOLUME, TRADE_COUNT
FROM CORE.OHLCV
WHERE SYMBOL = %(symbol)s AND TIMEFRAME = %(timeframe)s
  AND BUCKET_START >= DATEADD(SECOND, -%(seconds)s, (SELECT MAX(TRADE_TS) FROM RAW.TRADES WHERE SYMBOL = %(symbol)s))
ORDER BY BUCKET_START;
