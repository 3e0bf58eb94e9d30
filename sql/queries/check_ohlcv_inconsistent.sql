-- Candles whose open or close lies outside their low-high range, and (symbol, timeframe) pairs
-- whose candles do not add up to the trades: volume or count differ from CORE.TRADES. Volumes are
-- compared to a relative 1e-9: the emulator sums NUMBER columns as doubles, whose rounding depends on
-- the order of addition (an absolute 1e-8 failed on live volumes of 1e7).
WITH CANDLE_TOTALS AS (
    SELECT SYMBOL, TIMEFRAME, SUM(VOLUME) AS VOLUME, SUM(TRADE_COUNT) AS TRADES
    FROM CORE.OHLCV GROUP BY SYMBOL, TIMEFRAME
),
TRADE_TOTALS AS (
    SELECT SYMBOL, SUM(SIZE) AS VOLUME, COUNT(*) AS TRADES FROM CORE.TRADES GROUP BY SYMBOL
)
SELECT
    (SELECT COUNT(*) FROM CORE.OHLCV
     WHERE NOT (LOW <= OPEN AND OPEN <= HIGH AND LOW <= CLOSE AND CLOSE <= HIGH)) AS OUT_OF_RANGE,
    (SELECT COUNT(*) FROM CANDLE_TOTALS AS C JOIN TRADE_TOTALS AS T ON C.SYMBOL = T.SYMBOL
     WHERE ABS(C.VOLUME - T.VOLUME) > 1e-9 * GREATEST(ABS(T.VOLUME), 1) OR C.TRADES <> T.TRADES) AS TOTALS_MISMATCHED;
