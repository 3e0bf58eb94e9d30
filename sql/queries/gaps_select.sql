-- The gaps that end at or after %(since)s, of source %(source)s and in state %(state)s (either NULL:
-- any), oldest first.
SELECT
    GAP_ID, SOURCE, SYMBOL, FEED_SYMBOL, START_TS, END_TS, FIRST_MISSING_ID, LAST_MISSING_ID, STATE,
    RECOVERED, SETTLED_AT
FROM OPS.TRADE_GAPS
WHERE END_TS >= %(since)s
  AND (%(source)s IS NULL OR SOURCE = %(source)s)
  AND (%(state)s IS NULL OR STATE = %(state)s)
ORDER BY START_TS, SOURCE, FEED_SYMBOL;
