-- Trades without the duplicates a feed may send (Kraken repeats a snapshot on resubscribe): one row
-- per (SOURCE, FEED_SYMBOL, TRADE_ID), the first loaded. Exchange trade ids are unique per product,
-- not per exchange, hence FEED_SYMBOL in the key. SYMBOL follows from FEED_SYMBOL; it is in the
-- window's partition so that a filter on SYMBOL is applied before the window, not after it.
CREATE OR REPLACE VIEW CORE.TRADES AS
SELECT
    SOURCE, SYMBOL, FEED_SYMBOL, PRICE, SIZE, TRADE_TS, RECEIVED_TS, TRADE_ID, SIDE,
    KAFKA_PARTITION, KAFKA_OFFSET, LOADED_AT
FROM RAW.TRADES
QUALIFY ROW_NUMBER() OVER (
    PARTITION BY SYMBOL, SOURCE, FEED_SYMBOL, TRADE_ID ORDER BY KAFKA_PARTITION, KAFKA_OFFSET
) = 1;
