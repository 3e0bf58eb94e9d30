-- The last price of every symbol, with its change over the 24 hours before that trade: against the
-- last price at or before 24 hours earlier, or, for a symbol younger than that, its first price.
-- It reads RAW.TRADES, not CORE.TRADES: a duplicate is the same trade (same price and time), so it
-- cannot change a latest, first or last-before price, and skipping the deduplication window makes
-- this view, which every dashboard page reads, several times faster.
CREATE OR REPLACE VIEW CORE.LATEST_PRICES AS
WITH LAST_TRADE AS (
    SELECT SYMBOL, MAX(TRADE_TS) AS LAST_TRADE_TS, MAX_BY(PRICE, TRADE_TS) AS LAST_PRICE
    FROM RAW.TRADES
    GROUP BY SYMBOL
),
REFERENCE AS (
    SELECT
        L.SYMBOL,
        MAX_BY(CASE WHEN T.TRADE_TS <= DATEADD(HOUR, -24, L.LAST_TRADE_TS) THEN T.PRICE END,
               CASE WHEN T.TRADE_TS <= DATEADD(HOUR, -24, L.LAST_TRADE_TS) THEN T.TRADE_TS END) AS PRICE_BEFORE,
        MIN_BY(T.PRICE, T.TRADE_TS) AS FIRST_PRICE
    FROM LAST_TRADE AS L
    JOIN RAW.TRADES AS T ON T.SYMBOL = L.SYMBOL
    GROUP BY L.SYMBOL
)
SELECT
    L.SYMBOL,
    L.LAST_PRICE AS PRICE,
    L.LAST_TRADE_TS AS TRADE_TS,
    COALESCE(R.PRICE_BEFORE, R.FIRST_PRICE) AS PRICE_24H_AGO,
    L.LAST_PRICE - COALESCE(R.PRICE_BEFORE, R.FIRST_PRICE) AS CHANGE_24H,
    100 * (L.LAST_PRICE - COALESCE(R.PRICE_BEFORE, R.FIRST_PRICE)) / COALESCE(R.PRICE_BEFORE, R.FIRST_PRICE) AS CHANGE_PCT_24H
FROM LAST_TRADE AS L
JOIN REFERENCE AS R ON R.SYMBOL = L.SYMBOL;
