-- The gaps not repaired in the trades of symbol %(symbol)s that end at or after %(since)s, oldest
-- first: its own, and those of a whole feed (SYMBOL NULL) that streams it. The Markets chart shades
-- them.
SELECT G.SOURCE, G.FEED_SYMBOL, G.START_TS, G.END_TS, G.STATE
FROM OPS.TRADE_GAPS AS G
WHERE G.END_TS >= %(since)s AND G.STATE <> 'repaired'
  AND (
      G.SYMBOL = %(symbol)s
      OR (G.SYMBOL IS NULL AND G.SOURCE IN (SELECT S.SOURCE FROM OPS.FEED_SEQUENCES AS S WHERE S.SYMBOL = %(symbol)s))
  )
ORDER BY G.START_TS;
