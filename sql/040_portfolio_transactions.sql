-- The user's buy and sell transactions, written by the dashboard's Portfolio page. Times are UTC;
-- FEE is in the quote currency. Positions and profit and loss are computed from this ledger by
-- crypto_platform/portfolio/ledger.py (average cost), which also refuses a sell of more than is held.
CREATE TABLE IF NOT EXISTS PORTFOLIO.TRANSACTIONS (
    ID VARCHAR NOT NULL PRIMARY KEY,
    SYMBOL VARCHAR NOT NULL,
    SIDE VARCHAR NOT NULL,
    QUANTITY NUMBER(38, 12) NOT NULL,
    PRICE NUMBER(38, 12) NOT NULL,
    FEE NUMBER(38, 12) NOT NULL,
    TRADE_TS TIMESTAMP_NTZ NOT NULL,
    CREATED_AT TIMESTAMP_NTZ NOT NULL,
    UPDATED_AT TIMESTAMP_NTZ NOT NULL
);
