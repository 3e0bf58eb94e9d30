-- Drop the candles, in every timeframe, of the buckets batch %(load_id)s touched, before
-- candles_insert_minutes and candles_insert_rollups recompute them (in the batch's transaction).
-- %(since)s and %(until)s (the start of the earliest touched day, the latest touched trade) bound
-- BUCKET_START, so that only that stretch of the table is read.
DELETE FROM CORE.CANDLES
USING (
    SELECT DISTINCT
        S.SYMBOL,
        F.TIMEFRAME,
        TO_TIMESTAMP_NTZ(FLOOR(DATE_PART(EPOCH_MILLISECOND, S.TRADE_TS) / (1000 * F.SECONDS)) * F.SECONDS) AS BUCKET_START
    FROM RAW.TRADES_STAGE AS S
    CROSS JOIN CORE.TIMEFRAMES AS F
    WHERE S.LOAD_ID = %(load_id)s
) AS TOUCHED
WHERE CORE.CANDLES.SYMBOL = TOUCHED.SYMBOL
  AND CORE.CANDLES.TIMEFRAME = TOUCHED.TIMEFRAME
  AND CORE.CANDLES.BUCKET_START = TOUCHED.BUCKET_START
  AND CORE.CANDLES.BUCKET_START >= %(since)s AND CORE.CANDLES.BUCKET_START <= %(until)s;
