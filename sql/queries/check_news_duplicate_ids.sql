-- News ids that appear more than once in CORE.NEWS: must be none.
SELECT COUNT(*) FROM (SELECT ID FROM CORE.NEWS GROUP BY ID HAVING COUNT(*) > 1);
