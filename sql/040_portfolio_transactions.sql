-- The user's buy and sell transactions, written by the dashboard's Portfolio page. Times are UTC;
-- FEE is in the quote currency; ENTRY_SEQ is the order they were entered in, which breaks ties in
-- time. Positions and profit and loss are computed from this ledger by
-- crypto_platform/portfolio/ledger.py (average cost), which also refuses a sell of more than is held.
CREATE TABLE IF NOT EXISTS PORTFOLIO.TRANSACTIONS (
    ID VARCHAR NOT NULL PRIMARY KEY,
    SYMBOL VARCHAR NOT NULL,
    SIDE VARCHAR NOT NULL,
    QUANTITY NUMBER(38, 12) NOT NULL,
    PRICE NUMBER(38, 12) NOT NULL,
    FEE NUMBER(38, 12) NOT NULL,
    TRADE_TS TIMESTAMP_NTZ NOT NULL,
    ENTRY_SEQ INTEGER,
    CREATED_AT TIMESTAMP_NTZ NOT NULL,
    UPDATED_AT TIMESTAMP_NTZ NOT NULL
);
-- Tables made before ENTRY_SEQ existed: add it, and number their rows in the order they were created.
ALTER TABLE PORTFOLIO.TRANSACTIONS ADD COLUMN IF NOT EXISTS ENTRY_SEQ INTEGER;
UPDATE PORTFOLIO.TRANSACTIONS AS T
SET ENTRY_SEQ = R.SEQ
FROM (
    SELECT ID, ROW_NUMBER() OVER (ORDER BY CREATED_AT, ID) AS SEQ FROM PORTFOLIO.TRANSACTIONS
) AS R
WHERE T.ID = R.ID AND T.ENTRY_SEQ IS NULL;
