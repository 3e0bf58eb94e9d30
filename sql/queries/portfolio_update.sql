-- Replace one transaction's values.
UPDATE PORTFOLIO.TRANSACTIONS
SET SYMBOL = %(symbol)s, SIDE = %(side)s, QUANTITY = %(quantity)s, PRICE = %(price)s, FEE = %(fee)s,
    TRADE_TS = %(trade_ts)s, UPDATED_AT = SYSDATE()
WHERE ID = %(id)s;
