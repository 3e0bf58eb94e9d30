-- Record the gaps batch %(load_id)s reveals, in its transaction (after its rows are in RAW.TRADES,
-- before gaps_sequences_refresh). Its live trades newer than each feed symbol's stored newest, with
-- that stored trade, in order:
-- - for the sources in %(sequenced)s (",coinbase,kraken,binance,": ids consecutive per symbol), by
--   trade id: a step of more than one id is a gap of that symbol;
-- - for the others, by time: a symbol quiet for more than %(silence_ms)s milliseconds is a gap only
--   where the whole feed was silent that long, by every symbol's live trades in RAW.TRADES over the
--   span. Such a gap is the feed's (SYMBOL and FEED_SYMBOL NULL), found once however many symbols
--   span it. A symbol's trades keep one partition's order, but the partitions load unevenly while
--   the loader catches up: a feed gap that this batch's trades fall inside is judged again here over
--   its span, and dropped by gaps_withdraw_silences.
-- Older trades (a resubscribe's snapshot) count for nothing.
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
),
QUIET AS (
    SELECT DISTINCT SOURCE, PREV_TS AS SPAN_START, TRADE_TS AS SPAN_END
    FROM STEPS
    WHERE SEQ IS NULL AND PREV_SEQ IS NULL AND DATEDIFF(MILLISECOND, PREV_TS, TRADE_TS) > %(silence_ms)s
    UNION
    SELECT G.SOURCE, G.START_TS, G.END_TS
    FROM OPS.TRADE_GAPS AS G
    WHERE G.SYMBOL IS NULL AND G.STATE <> 'repaired'
      AND EXISTS (
          SELECT 1 FROM BATCH AS B
          WHERE B.SOURCE = G.SOURCE AND B.TRADE_TS > G.START_TS AND B.TRADE_TS < G.END_TS
      )
),
FEED_STEPS AS (
    SELECT
        Q.SOURCE, T.TRADE_TS,
        LAG(T.TRADE_TS) OVER (PARTITION BY Q.SOURCE, Q.SPAN_START, Q.SPAN_END ORDER BY T.TRADE_TS) AS PREV_TS
    FROM QUIET AS Q
    JOIN RAW.TRADES AS T
      ON T.SOURCE = Q.SOURCE AND T.TRADE_TS BETWEEN Q.SPAN_START AND Q.SPAN_END
     AND NOT COALESCE(T.FROM_HISTORY, FALSE)
),
SILENCES AS (
    SELECT DISTINCT F.SOURCE, F.PREV_TS, F.TRADE_TS
    FROM FEED_STEPS AS F
    WHERE DATEDIFF(MILLISECOND, F.PREV_TS, F.TRADE_TS) > %(silence_ms)s
      AND NOT EXISTS (
          SELECT 1 FROM OPS.TRADE_GAPS AS G
          WHERE G.SOURCE = F.SOURCE AND G.SYMBOL IS NULL AND G.START_TS = F.PREV_TS AND G.END_TS = F.TRADE_TS
      )
)
SELECT
    %(load_id)s || ':' || SOURCE || ':' || FEED_SYMBOL || ':' || TO_VARCHAR(PREV_SEQ),
    SOURCE, SYMBOL, FEED_SYMBOL, PREV_TS, TRADE_TS, PREV_SEQ + 1, SEQ - 1, 'open', SYSDATE()
FROM STEPS
WHERE SEQ IS NOT NULL AND SEQ - PREV_SEQ > 1
UNION ALL
SELECT
    %(load_id)s || ':' || SOURCE || ':*:' || TO_VARCHAR(PREV_TS),
    SOURCE, NULL, NULL, PREV_TS, TRADE_TS, NULL, NULL, 'open', SYSDATE()
FROM SILENCES;
