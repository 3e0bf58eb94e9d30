-- Which coins each news item mentions (one row per item and ticker).
CREATE TABLE IF NOT EXISTS CORE.NEWS_COINS (
    NEWS_ID INTEGER NOT NULL,
    PARTITION_DATE DATE NOT NULL,
    TICKER VARCHAR NOT NULL
);
