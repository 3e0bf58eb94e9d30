-- The last price of every symbol, with its change over the 24 hours before that trade: against the
-- last price at or before 24 hours earlier, or, for a symbol younger than that, its first price.
-- "Last" and "first" break time ties by arrival order (Kafka partition, then offset). A view over
-- CORE.MARKET_STATE (one row per symbol, kept as trades load).
CREATE OR REPLACE VIEW CORE.LATEST_PRICES AS
SELECT
    SYMBOL,
    LAST_PRICE AS PRICE,
    LAST_TS AS TRADE_TS,
    COALESCE(REFERENCE_PRICE, FIRST_PRICE) AS PRICE_24H_AGO,
    LAST_PRICE - COALESCE(REFERENCE_PRICE, FIRST_PRICE) AS CHANGE_24H,
    100 * (LAST_PRICE - COALESCE(REFERENCE_PRICE, FIRST_PRICE)) / COALESCE(REFERENCE_PRICE, FIRST_PRICE) AS CHANGE_PCT_24H
FROM CORE.MARKET_STATE;
