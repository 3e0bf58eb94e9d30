-- Every symbol's market over the 24 hours up to its latest trade: range, volume (base and quote),
-- trade count and VWAP. A view over CORE.MARKET_STATE (one row per symbol, kept as trades load).
CREATE OR REPLACE VIEW CORE.MARKET_STATS_24H AS
SELECT
    SYMBOL, LOW_24H, HIGH_24H, VOLUME_24H, QUOTE_VOLUME_24H, TRADE_COUNT_24H,
    QUOTE_VOLUME_24H / NULLIF(VOLUME_24H, 0) AS VWAP_24H,
    LAST_TS AS AS_OF
FROM CORE.MARKET_STATE;
