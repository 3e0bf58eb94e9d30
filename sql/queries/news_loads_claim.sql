-- Claim a news layer for one write: the first statement of the transaction that replaces its days.
UPDATE OPS.NEWS_LOADS
SET LOAD_ID = %(load_id)s, FIRST_DAY = %(first_day)s, LAST_DAY = %(last_day)s, ROWS_LOADED = %(rows)s,
    LOADED_AT = SYSDATE()
WHERE LAYER = %(layer)s;
