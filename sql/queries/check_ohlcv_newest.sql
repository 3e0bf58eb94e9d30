-- The newest trade time of any symbol (NULL with none): where the candle check's hours end.
SELECT MAX(LAST_TS) FROM CORE.MARKET_STATE;
