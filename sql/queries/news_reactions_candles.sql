-- The 1-minute candles' closes (and the time of each close) that the reactions of some stories read.
SELECT SYMBOL, BUCKET_START, CLOSE_TS, CLOSE
FROM CORE.CANDLES
WHERE TIMEFRAME = '1m' AND BUCKET_START >= %(since)s AND BUCKET_START < %(until)s;
