-- OHLCV candles of every symbol in four timeframes ('1m', '5m', '1h', '1d'; UTC buckets), kept as
-- trades load: in each batch's transaction the loader adds the batch's trades (the first copy of
-- each, as CORE.TRADES keeps it) to the candles of the buckets they fall in (sql/queries/
-- candles_add_batch.sql). OPEN and CLOSE are the first and last trade by trade time, ties broken
-- by arrival (Kafka partition, then offset); OPEN_* and CLOSE_* name those trades, so a late trade
-- is placed exactly. QUOTE_VOLUME (the sum of price x size) keeps VWAP exact in every timeframe.
-- REFRESH_ID names the batch (or rebuild) that wrote the row. Read it through CORE.OHLCV.
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
    TRADE_COUNT INTEGER NOT NULL,
    OPEN_TS TIMESTAMP_NTZ NOT NULL,
    OPEN_PARTITION INTEGER NOT NULL,
    OPEN_OFFSET INTEGER NOT NULL,
    CLOSE_TS TIMESTAMP_NTZ NOT NULL,
    CLOSE_PARTITION INTEGER NOT NULL,
    CLOSE_OFFSET INTEGER NOT NULL,
    REFRESH_ID VARCHAR NOT NULL
);
