-- Empty CORE.MARKET_STATE before a rebuild from every trade (inside the rebuild's transaction).
DELETE FROM CORE.MARKET_STATE;
