-- Recompute the CORE.MARKET_STATE rows of the symbols batch %(load_id)s touched (of every symbol
-- when it is NULL: a rebuild), after the batch's candles, as new rows marked with %(refresh_id)s
-- (market_state_delete_replaced then drops the rows they replace; the emulator cannot MERGE inside
-- a transaction that has written). Exact with late and repeated trades:
-- - first and last trade: the trades of the batch's time span hold the new first (last) trade,
--   unless the stored one lies before (after) that span and stays;
-- - the reference trade, the last at or before LAST_TS - 24h, only moves forward: it is the last
--   trade from the stored one (or the first trade) to that time;
-- - the 24 hours after that time: the trades of the minute it falls in, then the 1m candles.
-- "First" and "last" break time ties by Kafka partition, then offset (arrival order). The recent,
-- day-ago and candle bounds only limit what is read: the trades of the batch's span, those from the
-- stored reference on, and the 1m candles of the last day.
INSERT INTO CORE.MARKET_STATE (
    SYMBOL, FIRST_PRICE, FIRST_TS, LAST_PRICE, LAST_TS, REFERENCE_PRICE, REFERENCE_TS, LOW_24H,
    HIGH_24H, VOLUME_24H, QUOTE_VOLUME_24H, TRADE_COUNT_24H, REFRESH_ID, UPDATED_AT
)
WITH BATCH AS (
    SELECT SYMBOL, MIN(TRADE_TS) AS SINCE, MAX(TRADE_TS) AS UNTIL
    FROM RAW.TRADES_STAGE
    WHERE LOAD_ID = %(load_id)s
    GROUP BY SYMBOL
    UNION ALL
    SELECT SYMBOL, MIN(TRADE_TS), MAX(TRADE_TS)
    FROM RAW.TRADES
    WHERE %(load_id)s IS NULL
    GROUP BY SYMBOL
),
STORED AS (
    SELECT B.SYMBOL, B.SINCE, B.UNTIL, O.FIRST_PRICE, O.FIRST_TS, O.LAST_PRICE, O.LAST_TS, O.REFERENCE_TS
    FROM BATCH AS B
    LEFT JOIN CORE.MARKET_STATE AS O ON O.SYMBOL = B.SYMBOL
),
SPAN AS (
    SELECT
        T.SYMBOL, T.PRICE, T.TRADE_TS,
        ROW_NUMBER() OVER (
            PARTITION BY T.SYMBOL ORDER BY T.TRADE_TS, T.KAFKA_PARTITION, T.KAFKA_OFFSET
        ) AS FROM_START,
        ROW_NUMBER() OVER (
            PARTITION BY T.SYMBOL ORDER BY T.TRADE_TS DESC, T.KAFKA_PARTITION DESC, T.KAFKA_OFFSET DESC
        ) AS FROM_END
    FROM CORE.TRADES AS T
    JOIN STORED AS S ON S.SYMBOL = T.SYMBOL
    WHERE T.TRADE_TS >= %(recent_since)s AND T.TRADE_TS <= %(recent_until)s
      AND T.TRADE_TS >= S.SINCE AND T.TRADE_TS <= S.UNTIL
),
ENDS AS (
    SELECT
        S.SYMBOL,
        CASE WHEN S.FIRST_TS < S.SINCE THEN S.FIRST_PRICE ELSE F.PRICE END AS FIRST_PRICE,
        CASE WHEN S.FIRST_TS < S.SINCE THEN S.FIRST_TS ELSE F.TRADE_TS END AS FIRST_TS,
        CASE WHEN S.LAST_TS > S.UNTIL THEN S.LAST_PRICE ELSE L.PRICE END AS LAST_PRICE,
        CASE WHEN S.LAST_TS > S.UNTIL THEN S.LAST_TS ELSE L.TRADE_TS END AS LAST_TS,
        S.REFERENCE_TS AS STORED_REFERENCE_TS
    FROM STORED AS S
    JOIN SPAN AS F ON F.SYMBOL = S.SYMBOL AND F.FROM_START = 1
    JOIN SPAN AS L ON L.SYMBOL = S.SYMBOL AND L.FROM_END = 1
),
WINDOWS AS (
    SELECT
        E.*,
        DATEADD(HOUR, -24, E.LAST_TS) AS DAY_AGO,
        TO_TIMESTAMP_NTZ(FLOOR(DATE_PART(EPOCH_MILLISECOND, DATEADD(HOUR, -24, E.LAST_TS)) / 60000) * 60) AS DAY_AGO_MINUTE
    FROM ENDS AS E
),
REFERENCE AS (
    SELECT
        W.SYMBOL, T.PRICE, T.TRADE_TS,
        ROW_NUMBER() OVER (
            PARTITION BY W.SYMBOL ORDER BY T.TRADE_TS DESC, T.KAFKA_PARTITION DESC, T.KAFKA_OFFSET DESC
        ) AS FROM_END
    FROM WINDOWS AS W
    JOIN CORE.TRADES AS T ON T.SYMBOL = W.SYMBOL
    WHERE T.TRADE_TS >= %(day_ago_since)s AND T.TRADE_TS < %(day_ago_until)s
      AND T.TRADE_TS >= COALESCE(W.STORED_REFERENCE_TS, W.FIRST_TS) AND T.TRADE_TS <= W.DAY_AGO
),
PARTS AS (
    SELECT W.SYMBOL, T.PRICE AS LOW, T.PRICE AS HIGH, T.SIZE AS VOLUME, T.PRICE * T.SIZE AS QUOTE_VOLUME, 1 AS TRADE_COUNT
    FROM WINDOWS AS W
    JOIN CORE.TRADES AS T ON T.SYMBOL = W.SYMBOL
    WHERE T.TRADE_TS >= %(day_ago_since)s AND T.TRADE_TS < %(day_ago_until)s
      AND T.TRADE_TS > W.DAY_AGO AND T.TRADE_TS < DATEADD(MINUTE, 1, W.DAY_AGO_MINUTE)
    UNION ALL
    SELECT W.SYMBOL, C.LOW, C.HIGH, C.VOLUME, C.QUOTE_VOLUME, C.TRADE_COUNT
    FROM WINDOWS AS W
    JOIN CORE.CANDLES AS C ON C.SYMBOL = W.SYMBOL AND C.TIMEFRAME = '1m'
    WHERE C.BUCKET_START >= %(candles_since)s
      AND C.BUCKET_START > W.DAY_AGO_MINUTE AND C.BUCKET_START <= W.LAST_TS
),
DAY_STATS AS (
    SELECT
        SYMBOL, MIN(LOW) AS LOW_24H, MAX(HIGH) AS HIGH_24H, SUM(VOLUME) AS VOLUME_24H,
        SUM(QUOTE_VOLUME) AS QUOTE_VOLUME_24H, SUM(TRADE_COUNT) AS TRADE_COUNT_24H
    FROM PARTS
    GROUP BY SYMBOL
)
SELECT
    W.SYMBOL, W.FIRST_PRICE, W.FIRST_TS, W.LAST_PRICE, W.LAST_TS, R.PRICE, R.TRADE_TS, D.LOW_24H,
    D.HIGH_24H, D.VOLUME_24H, D.QUOTE_VOLUME_24H, D.TRADE_COUNT_24H, %(refresh_id)s, SYSDATE()
FROM WINDOWS AS W
JOIN DAY_STATS AS D ON D.SYMBOL = W.SYMBOL
LEFT JOIN REFERENCE AS R ON R.SYMBOL = W.SYMBOL AND R.FROM_END = 1;
