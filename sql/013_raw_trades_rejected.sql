-- Messages on crypto.trades that are not a valid canonical trade, kept with the reason, loaded in
-- the same transaction as the batch they came in (so they are neither lost nor repeated).
CREATE TABLE IF NOT EXISTS RAW.TRADES_REJECTED (
    KAFKA_PARTITION INTEGER NOT NULL,
    KAFKA_OFFSET INTEGER NOT NULL,
    REASON VARCHAR NOT NULL,
    RAW VARCHAR,
    LOADED_AT TIMESTAMP_NTZ NOT NULL
);
