-- Empty CORE.CANDLES before a rebuild from every trade (inside the rebuild's transaction).
DELETE FROM CORE.CANDLES;
