-- Candles for every symbol in four timeframes (TIMEFRAME = '1m', '5m', '1h', '1d'), in UTC buckets.
-- OPEN and CLOSE are the prices of the first and last trade by trade time; VWAP is the
-- volume-weighted average price. Buckets come from epoch milliseconds, which every engine truncates
-- alike (EPOCH_SECOND of a fractional time rounds on some).
CREATE OR REPLACE VIEW CORE.OHLCV AS
WITH TIMEFRAMES AS (
    SELECT COLUMN1 AS TIMEFRAME, COLUMN2 AS SECONDS
    FROM VALUES ('1m', 60), ('5m', 300), ('1h', 3600), ('1d', 86400)
)
SELECT
    T.SYMBOL,
    F.TIMEFRAME,
    TO_TIMESTAMP_NTZ(FLOOR(DATE_PART(EPOCH_MILLISECOND, T.TRADE_TS) / (1000 * F.SECONDS)) * F.SECONDS) AS BUCKET_START,
    MIN_BY(T.PRICE, T.TRADE_TS) AS OPEN,
    MAX(T.PRICE) AS HIGH,
    MIN(T.PRICE) AS LOW,
    MAX_BY(T.PRICE, T.TRADE_TS) AS CLOSE,
    SUM(T.SIZE) AS VOLUME,
    COUNT(*) AS TRADE_COUNT,
    SUM(T.PRICE * T.SIZE) / NULLIF(SUM(T.SIZE), 0) AS VWAP
FROM CORE.TRADES AS T
CROSS JOIN TIMEFRAMES AS F
GROUP BY T.SYMBOL, F.TIMEFRAME, BUCKET_START;
