-- The runs of consecutive trade ids of %(source)s's %(feed_symbol)s already in RAW.TRADES between
-- ids %(first_id)s and %(last_id)s, traded in [%(since)s, %(until)s): each run's first and last id
-- and the time of its last trade (ms), lowest first. A backfill of a day fetches only what lies
-- between them.
SELECT MIN(ID), MAX(ID), MAX(TS_MS)
FROM (
    SELECT ID, TS_MS, ID - ROW_NUMBER() OVER (ORDER BY ID) AS RUN
    FROM (
        SELECT DISTINCT TRY_CAST(TRADE_ID AS INTEGER) AS ID, DATE_PART(EPOCH_MILLISECOND, TRADE_TS) AS TS_MS
        FROM RAW.TRADES
        WHERE SOURCE = %(source)s AND FEED_SYMBOL = %(feed_symbol)s
          AND TRADE_TS >= %(since)s AND TRADE_TS < %(until)s
    ) AS LOADED
    WHERE ID BETWEEN %(first_id)s AND %(last_id)s
) AS RUNS
GROUP BY RUN
ORDER BY 1;
