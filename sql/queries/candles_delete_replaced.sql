-- Drop the candles that candles_add_batch replaced: the older row of every bucket it wrote a row
-- for under %(refresh_id)s (from %(day)s on, the day of the batch's earliest trade).
DELETE FROM CORE.CANDLES
USING (
    SELECT SYMBOL, TIMEFRAME, BUCKET_START
    FROM CORE.CANDLES
    WHERE REFRESH_ID = %(refresh_id)s AND BUCKET_START >= %(day)s
) AS WRITTEN
WHERE CORE.CANDLES.SYMBOL = WRITTEN.SYMBOL
  AND CORE.CANDLES.TIMEFRAME = WRITTEN.TIMEFRAME
  AND CORE.CANDLES.BUCKET_START = WRITTEN.BUCKET_START
  AND CORE.CANDLES.REFRESH_ID <> %(refresh_id)s
  AND CORE.CANDLES.BUCKET_START >= %(day)s;
