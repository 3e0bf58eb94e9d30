-- Every portfolio transaction, in the order the ledger replays them: time, then order of entry.
SELECT ID, SYMBOL, SIDE, QUANTITY, PRICE, FEE, TRADE_TS, ENTRY_SEQ
FROM PORTFOLIO.TRANSACTIONS
ORDER BY TRADE_TS, ENTRY_SEQ, ID;
