-- Trades without the duplicates a feed may send (Kraken repeats a snapshot on resubscribe, Coinbase
-- its last match): one row per (SOURCE, FEED_SYMBOL, TRADE_ID), the first loaded. Exchange trade ids
-- are unique per product, not per exchange, hence FEED_SYMBOL in the key. A repeated trade carries
-- its original trade time, so SYMBOL and TRADE_TS in the window's partition change nothing but let
-- a filter on them apply before the window: a query over the last minutes reads those minutes only.
CREATE OR REPLACE VIEW CORE.TRADES AS
SELECT
    SOURCE, SYMBOL, FEED_SYMBOL, PRICE, SIZE, TRADE_TS, RECEIVED_TS, TRADE_ID, SIDE,
    KAFKA_PARTITION, KAFKA_OFFSET, LOADED_AT, SIMULATED, FROM_HISTORY
FROM RAW.TRADES
QUALIFY ROW_NUMBER() OVER (
    PARTITION BY SYMBOL, TRADE_TS, SOURCE, FEED_SYMBOL, TRADE_ID ORDER BY KAFKA_PARTITION, KAFKA_OFFSET
) = 1;
