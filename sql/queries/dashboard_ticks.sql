-- One symbol's price second by second from a time on (the live tick line: the page passes its last
-- trade's time minus a few minutes, so that only those minutes are read): the last trade of each
-- second by trade time, then arrival order, and the second's volume. At most one point a second,
-- however busy the market: a chart has no use for more.
SELECT SECOND AS TRADE_TS, PRICE, SIZE
FROM (
    SELECT
        DATE_TRUNC('SECOND', TRADE_TS) AS SECOND,
        PRICE,
        SUM(SIZE) OVER (PARTITION BY DATE_TRUNC('SECOND', TRADE_TS)) AS SIZE,
        ROW_NUMBER() OVER (
            PARTITION BY DATE_TRUNC('SECOND', TRADE_TS)
            ORDER BY TRADE_TS DESC, KAFKA_PARTITION DESC, KAFKA_OFFSET DESC
        ) AS FROM_END
    FROM CORE.TRADES
    WHERE SYMBOL = %(symbol)s AND TRADE_TS >= %(since)s
)
WHERE FROM_END = 1
ORDER BY TRADE_TS;
