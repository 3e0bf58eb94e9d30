-- Holes in each feed's live trades, found as they load (in each loader batch's transaction:
-- sql/queries/gaps_*.sql). Where a venue numbers its trades consecutively per symbol (Coinbase,
-- Kraken, Binance) a gap is a jump in ids, FIRST_MISSING_ID to LAST_MISSING_ID, of one symbol; where
-- it does not (Finnhub), no trade on the whole feed for longer than a silence, and SYMBOL and
-- FEED_SYMBOL are NULL: every symbol of the feed (one quiet symbol alone is no gap, as nothing tells
-- its quiet from missing trades). Whatever caused it (a disconnect, a silent feed, trades dropped
-- inside a healthy connection, no producer running at all) it shows the same way. START_TS and
-- END_TS are the times of the trades either side (UTC). STATE is `open`, `repaired` (RECOVERED
-- trades fetched from the venue's history) or `unrepairable` (DETAIL says why).
CREATE TABLE IF NOT EXISTS OPS.TRADE_GAPS (
    GAP_ID VARCHAR NOT NULL,
    SOURCE VARCHAR NOT NULL,
    SYMBOL VARCHAR,
    FEED_SYMBOL VARCHAR,
    START_TS TIMESTAMP_NTZ NOT NULL,
    END_TS TIMESTAMP_NTZ NOT NULL,
    FIRST_MISSING_ID INTEGER,
    LAST_MISSING_ID INTEGER,
    STATE VARCHAR NOT NULL,
    RECOVERED INTEGER,
    DETECTED_AT TIMESTAMP_NTZ NOT NULL,
    SETTLED_AT TIMESTAMP_NTZ,
    DETAIL VARCHAR
);
-- The newest live trade loaded per feed symbol, where the next batch's gaps are measured from (one
-- row per SOURCE and FEED_SYMBOL; REFRESH_ID names the batch that wrote it).
CREATE TABLE IF NOT EXISTS OPS.FEED_SEQUENCES (
    SOURCE VARCHAR NOT NULL,
    SYMBOL VARCHAR NOT NULL,
    FEED_SYMBOL VARCHAR NOT NULL,
    LAST_TRADE_ID INTEGER,
    LAST_TRADE_TS TIMESTAMP_NTZ NOT NULL,
    REFRESH_ID VARCHAR NOT NULL
);
