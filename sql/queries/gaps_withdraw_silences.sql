-- Drop each feed gap (SYMBOL NULL: a silence of a whole feed without trade ids) that a live trade of
-- batch %(load_id)s falls inside: loaded late from another partition, it shows the feed was not
-- silent there. gaps_detect has judged the span again first.
DELETE FROM OPS.TRADE_GAPS AS G
WHERE G.SYMBOL IS NULL AND G.STATE <> 'repaired'
  AND EXISTS (
      SELECT 1 FROM RAW.TRADES_STAGE AS B
      WHERE B.LOAD_ID = %(load_id)s AND NOT COALESCE(B.FROM_HISTORY, FALSE)
        AND B.SOURCE = G.SOURCE AND B.TRADE_TS > G.START_TS AND B.TRADE_TS < G.END_TS
  );
