-- The stored first, last and reference trade times of the symbols batch %(load_id)s touched: what
-- bounds the trades and candles market_state_refresh reads.
SELECT SYMBOL, FIRST_TS, LAST_TS, REFERENCE_TS
FROM CORE.MARKET_STATE
WHERE SYMBOL IN (SELECT SYMBOL FROM RAW.TRADES_STAGE WHERE LOAD_ID = %(load_id)s);
