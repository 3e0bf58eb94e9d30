-- The dashboard's price cards: every symbol's last price and 24h change.
SELECT SYMBOL, PRICE, TRADE_TS, CHANGE_24H, CHANGE_PCT_24H FROM CORE.LATEST_PRICES ORDER BY SYMBOL;
