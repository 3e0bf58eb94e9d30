-- One row per symbol, kept as trades load (in each batch's transaction, for the symbols the batch
-- touched; sql/queries/market_state_*.sql; REFRESH_ID names the refresh that wrote the row): its
-- first and last trade, the reference trade (the last at or before 24 hours before the last trade;
-- NULL while the symbol is younger) and its
-- market over the 24 hours up to the last trade, summed from the 1m candles and the trades of the
-- one minute the window starts in. First and last break time ties by arrival (Kafka partition,
-- then offset). CORE.LATEST_PRICES and CORE.MARKET_STATS_24H read it.
CREATE TABLE IF NOT EXISTS CORE.MARKET_STATE (
    SYMBOL VARCHAR NOT NULL,
    FIRST_PRICE NUMBER(38, 12) NOT NULL,
    FIRST_TS TIMESTAMP_NTZ NOT NULL,
    LAST_PRICE NUMBER(38, 12) NOT NULL,
    LAST_TS TIMESTAMP_NTZ NOT NULL,
    REFERENCE_PRICE NUMBER(38, 12),
    REFERENCE_TS TIMESTAMP_NTZ,
    LOW_24H NUMBER(38, 12) NOT NULL,
    HIGH_24H NUMBER(38, 12) NOT NULL,
    VOLUME_24H NUMBER(38, 12) NOT NULL,
    QUOTE_VOLUME_24H NUMBER(38, 12) NOT NULL,
    TRADE_COUNT_24H INTEGER NOT NULL,
    REFRESH_ID VARCHAR NOT NULL,
    UPDATED_AT TIMESTAMP_NTZ NOT NULL
);
