-- Processed news: deduplicated (by id, then by URL), UTC times, with a sentiment score in [-1, 1]
-- (VADER with the market's words, see crypto_platform/news/sentiment.py) and the analyser that gave it. Replaced per partition day by the news asset.
CREATE TABLE IF NOT EXISTS CORE.NEWS (
    ID INTEGER NOT NULL,
    PARTITION_DATE DATE NOT NULL,
    PUBLISHED_AT TIMESTAMP_NTZ NOT NULL,
    HEADLINE VARCHAR NOT NULL,
    SUMMARY VARCHAR,
    SOURCE VARCHAR,
    URL VARCHAR NOT NULL,
    IMAGE VARCHAR,
    SENTIMENT FLOAT NOT NULL,
    PROCESSED_AT TIMESTAMP_NTZ NOT NULL
);
ALTER TABLE CORE.NEWS ADD COLUMN IF NOT EXISTS SENTIMENT_ANALYSER VARCHAR;
