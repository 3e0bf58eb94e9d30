-- The gaps in the feeds' trades that end at or after %(since)s, newest first, with their repairs:
-- the Pipeline page. A feed's whole silence (FEED_SYMBOL NULL) reads `every symbol`.
SELECT
    SOURCE, COALESCE(FEED_SYMBOL, 'every symbol') AS FEED_SYMBOL, START_TS, END_TS,
    DATEDIFF(MILLISECOND, START_TS, END_TS) / 1000 AS SECONDS,
    LAST_MISSING_ID - FIRST_MISSING_ID + 1 AS MISSING, STATE, RECOVERED, DETAIL, SETTLED_AT
FROM OPS.TRADE_GAPS
WHERE END_TS >= %(since)s
ORDER BY START_TS DESC
LIMIT 200;
