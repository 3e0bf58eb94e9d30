-- The candle timeframes and their length in seconds: data, not code (the candle queries join it).
-- '1m' candles are computed from trades; every longer one from the 1m candles.
CREATE TABLE IF NOT EXISTS CORE.TIMEFRAMES (
    TIMEFRAME VARCHAR NOT NULL,
    SECONDS INTEGER NOT NULL
);
MERGE INTO CORE.TIMEFRAMES AS T
USING (SELECT COLUMN1 AS TIMEFRAME, COLUMN2 AS SECONDS FROM VALUES ('1m', 60), ('5m', 300), ('1h', 3600), ('1d', 86400)) AS S
ON T.TIMEFRAME = S.TIMEFRAME
WHEN NOT MATCHED THEN INSERT (TIMEFRAME, SECONDS) VALUES (S.TIMEFRAME, S.SECONDS);
