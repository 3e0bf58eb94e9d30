-- OHLCV candles of every symbol in four timeframes ('1m', '5m', '1h', '1d'; UTC buckets), kept as
-- trades load: in each batch's transaction the loader recomputes the 1m candles of the minutes the
-- batch touched from CORE.TRADES, then the 5m, 1h and 1d candles containing them from the 1m
-- candles (sql/queries/candles_*.sql). OPEN and CLOSE are the first and last trade by trade time,
-- ties broken by arrival (Kafka partition, then offset). QUOTE_VOLUME (the sum of price x size)
-- keeps VWAP exact in every timeframe. Read it through CORE.OHLCV.
CREATE TABLE IF NOT EXISTS CORE.CANDLES (
    SYMBOL VARCHAR NOT NULL,
    TIMEFRAME VARCHAR NOT NULL,
    BUCKET_START TIMESTAMP_NTZ NOT NULL,
    OPEN NUMBER(38, 12) NOT NULL,
    HIGH NUMBER(38, 12) NOT NULL,
    LOW NUMBER(38, 12) NOT NULL,
    CLOSE NUMBER(38, 12) NOT NULL,
    VOLUME NUMBER(38, 12) NOT NULL,
    QUOTE_VOLUME NUMBER(38, 12) NOT NULL,
    TRADE_COUNT INTEGER NOT NULL
);
