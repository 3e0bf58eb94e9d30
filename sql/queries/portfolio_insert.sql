-- Add one transaction, with its place in the order of entry.
INSERT INTO PORTFOLIO.TRANSACTIONS (ID, SYMBOL, SIDE, QUANTITY, PRICE, FEE, TRADE_TS, ENTRY_SEQ, CREATED_AT, UPDATED_AT)
VALUES (%(id)s, %(symbol)s, %(side)s, %(quantity)s, %(price)s, %(fee)s, %(trade_ts)s, %(entry)s,
        SYSDATE(), SYSDATE());
