-- Record the gaps batch %(load_id)s reveals, in its transaction (before gaps_sequences_refresh).
-- Its live trades newer than each feed symbol's stored newest, with that stored trade, in order: by
-- trade id for the sources in %(sequenced)s (",coinbase,kraken,binance,": ids consecutive per
-- symbol), where a step of more than one id is a gap; by time for the others, where a step of more
-- than %(silence_ms)s milliseconds is one. Older trades (a resubscribe's snapshot) count for nothing.
INSERT INTO OPS.TRADE_GAPS (
    GAP_ID, SOURCE, SYMBOL, FEED_SYMBOL, START_TS, END_TS, FIRST_MISSING_ID, LAST_MISSING_ID,
    STATE, DETECTED_AT
)
WITH BATCH AS (
    SELECT DISTINCT
        B.SOURCE, B.SYMBOL, B.FEED_SYMBOL, B.TRADE_TS,
        CASE WHEN CONTAINS(%(sequenced)s, ',' || B.SOURCE || ',') THEN TRY_CAST(B.TRADE_ID AS INTEGER) END AS SEQ
    FROM RAW.TRADES_STAGE AS B
    WHERE B.LOAD_ID = %(load_id)s AND NOT COALESCE(B.FROM_HISTORY, FALSE)
),
NEWER AS (
    SELECT B.SOURCE, B.SYMBOL, B.FEED_SYMBOL, B.TRADE_TS, B.SEQ
    FROM BATCH AS B
    LEFT JOIN OPS.FEED_SEQUENCES AS S ON S.SOURCE = B.SOURCE AND S.FEED_SYMBOL = B.FEED_SYMBOL
    WHERE S.SOURCE IS NULL
       OR (B.SEQ IS NOT NULL AND (S.LAST_TRADE_ID IS NULL OR B.SEQ > S.LAST_TRADE_ID))
       OR (B.SEQ IS NULL AND B.TRADE_TS > S.LAST_TRADE_TS)
    UNION ALL
    SELECT S.SOURCE, S.SYMBOL, S.FEED_SYMBOL, S.LAST_TRADE_TS, S.LAST_TRADE_ID
    FROM OPS.FEED_SEQUENCES AS S
    WHERE EXISTS (SELECT 1 FROM BATCH AS B WHERE B.SOURCE = S.SOURCE AND B.FEED_SYMBOL = S.FEED_SYMBOL)
),
STEPS AS (
    SELECT
        SOURCE, SYMBOL, FEED_SYMBOL, TRADE_TS, SEQ,
        LAG(TRADE_TS) OVER (PARTITION BY SOURCE, FEED_SYMBOL ORDER BY SEQ, TRADE_TS) AS PREV_TS,
        LAG(SEQ) OVER (PARTITION BY SOURCE, FEED_SYMBOL ORDER BY SEQ, TRADE_TS) AS PREV_SEQ
    FROM NEWER
)
SELECT
    %(load_id)s || ':' || SOURCE || ':' || FEED_SYMBOL || ':' || COALESCE(TO_VARCHAR(PREV_SEQ), TO_VARCHAR(PREV_TS)),
    SOURCE, SYMBOL, FEED_SYMBOL, PREV_TS, TRADE_TS, PREV_SEQ + 1, SEQ - 1, 'open', SYSDATE()
FROM STEPS
WHERE (SEQ IS NOT NULL AND SEQ - PREV_SEQ > 1)
   OR (SEQ IS NULL AND PREV_SEQ IS NULL AND DATEDIFF(MILLISECOND, PREV_TS, TRADE_TS) > %(silence_ms)s);
