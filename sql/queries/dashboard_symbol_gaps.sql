-- The gaps not repaired in the trades of symbol %(symbol)s that end at or after %(since)s, oldest
-- first: the Markets chart shades them.
SELECT SOURCE, FEED_SYMBOL, START_TS, END_TS, STATE
FROM OPS.TRADE_GAPS
WHERE SYMBOL = %(symbol)s AND END_TS >= %(since)s AND STATE <> 'repaired'
ORDER BY START_TS;
