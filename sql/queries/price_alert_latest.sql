-- One symbol's last price and its time: a price alert's check.
SELECT PRICE, TRADE_TS FROM CORE.LATEST_PRICES WHERE SYMBOL = %(symbol)s;
