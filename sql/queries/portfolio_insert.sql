-- Add one transaction.
INSERT INTO PORTFOLIO.TRANSACTIONS (ID, SYMBOL, SIDE, QUANTITY, PRICE, FEE, TRADE_TS, CREATED_AT, UPDATED_AT)
VALUES (%(id)s, %(symbol)s, %(side)s, %(quantity)s, %(price)s, %(fee)s, %(trade_ts)s,
        SYSDATE(), SYSDATE());
