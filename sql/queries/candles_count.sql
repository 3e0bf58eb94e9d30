-- How many candles CORE.CANDLES holds per timeframe: the ohlcv asset's metadata.
SELECT TIMEFRAME, COUNT(*) FROM CORE.CANDLES GROUP BY TIMEFRAME;
