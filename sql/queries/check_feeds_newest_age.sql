-- The age in seconds of each feed's newest trade in RAW.TRADES (by when the producer received
-- it), among the trades from %(since)s on (so the read stays small however long the table).
SELECT SOURCE, DATEDIFF(SECOND, MAX(RECEIVED_TS), SYSDATE())
FROM RAW.TRADES
WHERE TRADE_TS >= %(since)s
GROUP BY SOURCE;
