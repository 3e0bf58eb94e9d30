-- How many trades there are, and the age in seconds of the newest one (NULL when there are none).
SELECT COUNT(*), DATEDIFF(SECOND, MAX(TRADE_TS), SYSDATE()) FROM RAW.TRADES;
