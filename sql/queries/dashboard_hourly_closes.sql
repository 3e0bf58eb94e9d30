-- Every symbol's hourly closing price since a time: the portfolio's value over time. It reads
-- RAW.TRADES: a duplicate is the same trade, so it cannot change a close, and skipping CORE.TRADES'
-- deduplication window lets the time filter prune the scan.
SELECT SYMBOL, TIME_SLICE(TRADE_TS, 1, 'HOUR') AS BUCKET_START, MAX_BY(PRICE, TRADE_TS) AS CLOSE
FROM RAW.TRADES
WHERE TRADE_TS >= DATEADD(HOUR, -1, %(since)s)
GROUP BY SYMBOL, BUCKET_START
ORDER BY BUCKET_START;
