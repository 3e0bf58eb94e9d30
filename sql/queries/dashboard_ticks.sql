-- One symbol's trades over the last minutes before its last trade: the live tick line.
SELECT TRADE_TS, PRICE, SIZE
FROM RAW.TRADES
WHERE SYMBOL = %(symbol)s
  AND TRADE_TS >= DATEADD(SECOND, -%(seconds)s, (SELECT MAX(TRADE_TS) FROM RAW.TRADES WHERE SYMBOL = %(symbol)s))
ORDER BY TRADE_TS;
