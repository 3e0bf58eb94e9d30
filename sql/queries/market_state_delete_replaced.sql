-- Drop the CORE.MARKET_STATE rows that market_state_refresh replaced: the older row of every symbol
-- it wrote a row for under %(refresh_id)s.
DELETE FROM CORE.MARKET_STATE
WHERE REFRESH_ID <> %(refresh_id)s
  AND SYMBOL IN (SELECT SYMBOL FROM CORE.MARKET_STATE WHERE REFRESH_ID = %(refresh_id)s);
