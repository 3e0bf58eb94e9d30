-- Rows whose price is missing or not positive.
SELECT COUNT(*) FROM RAW.TRADES WHERE PRICE IS NULL OR PRICE <= 0;
