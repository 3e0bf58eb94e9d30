-- The candles of the last hours against a recomputation from CORE.TRADES: every 1m, 5m and 1h
-- bucket from %(since)s (a whole hour) on, counted, and those missing on either side or with an
-- open, high, low, close or trade count that differs, or a volume or VWAP that differs by more than
-- a relative 1e-9 (the emulator sums NUMBER columns as doubles, whose rounding depends on the order
-- of addition). The recomputation groups trades straight into each timeframe, not through the 1m
-- candles as the loader does, so it checks that path too.
WITH TRADES AS (
    SELECT
        T.SYMBOL, F.TIMEFRAME, T.PRICE, T.SIZE, T.TRADE_TS, T.KAFKA_PARTITION, T.KAFKA_OFFSET,
        TO_TIMESTAMP_NTZ(FLOOR(DATE_PART(EPOCH_MILLISECOND, T.TRADE_TS) / (1000 * F.SECONDS)) * F.SECONDS) AS BUCKET_START
    FROM CORE.TRADES AS T
    CROSS JOIN CORE.TIMEFRAMES AS F
    WHERE T.TRADE_TS >= %(since)s AND F.SECONDS <= 3600
),
RECOMPUTED AS (
    SELECT
        SYMBOL, TIMEFRAME, BUCKET_START, ANY_VALUE(OPEN) AS OPEN, MAX(PRICE) AS HIGH, MIN(PRICE) AS LOW,
        ANY_VALUE(CLOSE) AS CLOSE, SUM(SIZE) AS VOLUME, COUNT(*) AS TRADE_COUNT,
        SUM(PRICE * SIZE) / NULLIF(SUM(SIZE), 0) AS VWAP
    FROM (
        SELECT
            SYMBOL, TIMEFRAME, BUCKET_START, PRICE, SIZE,
            FIRST_VALUE(PRICE) OVER (
                PARTITION BY SYMBOL, TIMEFRAME, BUCKET_START ORDER BY TRADE_TS, KAFKA_PARTITION, KAFKA_OFFSET
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS OPEN,
            LAST_VALUE(PRICE) OVER (
                PARTITION BY SYMBOL, TIMEFRAME, BUCKET_START ORDER BY TRADE_TS, KAFKA_PARTITION, KAFKA_OFFSET
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS CLOSE
        FROM TRADES
    )
    GROUP BY SYMBOL, TIMEFRAME, BUCKET_START
),
STORED AS (
    SELECT O.*
    FROM CORE.OHLCV AS O
    JOIN CORE.TIMEFRAMES AS F ON F.TIMEFRAME = O.TIMEFRAME
    WHERE O.BUCKET_START >= %(since)s AND F.SECONDS <= 3600
)
SELECT
    COUNT(*) AS COMPARED,
    COUNT_IF(
        R.SYMBOL IS NULL OR S.SYMBOL IS NULL
        OR R.OPEN <> S.OPEN OR R.HIGH <> S.HIGH OR R.LOW <> S.LOW OR R.CLOSE <> S.CLOSE
        OR R.TRADE_COUNT <> S.TRADE_COUNT
        OR ABS(R.VOLUME - S.VOLUME) > 1e-9 * GREATEST(ABS(R.VOLUME), 1)
        OR ABS(R.VWAP - S.VWAP) > 1e-9 * GREATEST(ABS(R.VWAP), 1)
    ) AS MISMATCHED
FROM RECOMPUTED AS R
FULL OUTER JOIN STORED AS S
    ON S.SYMBOL = R.SYMBOL AND S.TIMEFRAME = R.TIMEFRAME AND S.BUCKET_START = R.BUCKET_START;
