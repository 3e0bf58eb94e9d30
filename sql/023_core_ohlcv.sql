-- Candles for every symbol in four timeframes (TIMEFRAME = '1m', '5m', '1h', '1d'), in UTC buckets:
-- open, high, low, close, volume, trade count and VWAP (volume-weighted average price). OPEN and
-- CLOSE are the prices of the first and last trade by trade time, ties broken by arrival order.
-- Kept incrementally in CORE.CANDLES as trades load, so reading it costs the same after a day or
-- a year of trades.
CREATE OR REPLACE VIEW CORE.OHLCV AS
SELECT
    SYMBOL, TIMEFRAME, BUCKET_START, OPEN, HIGH, LOW, CLOSE, VOLUME, TRADE_COUNT,
    QUOTE_VOLUME / NULLIF(VOLUME, 0) AS VWAP
FROM CORE.CANDLES;
