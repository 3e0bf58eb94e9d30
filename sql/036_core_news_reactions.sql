-- How each coin's price moved after each story (one row per story and coin it is tagged with): the
-- price at publication (the last trade before it) and the return after 5 minutes, 1 hour and 1 day
-- as a fraction, from the 1-minute candles. A return is NULL until its horizon has passed, or when
-- a price is missing; MISSING then says which and why (a feed gap is flagged, never filled in from
-- older prices). See crypto_platform/news/reactions.py. Replaced per partition day by the
-- news_reactions asset.
CREATE TABLE IF NOT EXISTS CORE.NEWS_REACTIONS (
    PARTITION_DATE DATE NOT NULL,
    NEWS_ID INTEGER NOT NULL,
    TICKER VARCHAR NOT NULL,
    SYMBOL VARCHAR NOT NULL,
    PUBLISHED_AT TIMESTAMP_NTZ NOT NULL,
    SENTIMENT FLOAT NOT NULL,
    PRICE_AT NUMBER(38, 12),
    RETURN_5M FLOAT,
    RETURN_1H FLOAT,
    RETURN_1D FLOAT,
    MISSING VARCHAR,
    COMPUTED_AT TIMESTAMP_NTZ NOT NULL
);
