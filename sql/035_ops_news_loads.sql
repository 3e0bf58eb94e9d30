-- The latest write of each news layer (RAW: RAW.NEWS; CORE: CORE.NEWS and CORE.NEWS_COINS;
-- REACTIONS: CORE.NEWS_REACTIONS): its load id, days and row count. A write claims its layer's row first, inside the transaction that
-- replaces its days, so two writes of one layer never interleave: Snowflake makes the second wait
-- for the first to commit, the emulator fails it at once with a lock error and it is retried.
CREATE TABLE IF NOT EXISTS OPS.NEWS_LOADS (
    LAYER VARCHAR NOT NULL,
    LOAD_ID VARCHAR,
    FIRST_DAY DATE,
    LAST_DAY DATE,
    ROWS_LOADED INTEGER,
    LOADED_AT TIMESTAMP_NTZ,
    PRIMARY KEY (LAYER)
);
MERGE INTO OPS.NEWS_LOADS AS L
USING (SELECT COLUMN1 AS LAYER FROM VALUES ('RAW'), ('CORE'), ('REACTIONS')) AS S
ON L.LAYER = S.LAYER
WHEN NOT MATCHED THEN INSERT (LAYER) VALUES (S.LAYER);
