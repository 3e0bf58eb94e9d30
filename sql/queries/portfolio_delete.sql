-- Remove one transaction.
DELETE FROM PORTFOLIO.TRANSACTIONS WHERE ID = %(id)s;
