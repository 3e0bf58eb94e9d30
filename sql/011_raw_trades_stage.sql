-- Landing table for one loader batch (rows tagged with their LOAD_ID) before the transaction that
-- moves them into RAW.TRADES and advances OPS.KAFKA_OFFSETS. Rows of a batch that never committed
-- are never read, and are deleted an hour later.
CREATE TABLE IF NOT EXISTS RAW.TRADES_STAGE (
    LOAD_ID VARCHAR NOT NULL,
    SOURCE VARCHAR,
    SYMBOL VARCHAR,
    FEED_SYMBOL VARCHAR,
    PRICE NUMBER(38, 12),
    SIZE NUMBER(38, 12),
    TRADE_TS TIMESTAMP_NTZ,
    RECEIVED_TS TIMESTAMP_NTZ,
    TRADE_ID VARCHAR,
    SIDE VARCHAR,
    KAFKA_PARTITION INTEGER,
    KAFKA_OFFSET INTEGER,
    STAGED_AT TIMESTAMP_NTZ
);
