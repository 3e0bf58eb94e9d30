-- Processed news: deduplicated (by id, then by URL), UTC times, with a sentiment score in [-1, 1]
-- (lexicon-based, see crypto_platform/news/tagging.py). Replaced per partition day by the news asset.
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
