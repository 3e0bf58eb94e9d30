-- Drop the reactions of the days about to be rebuilt.
DELETE FROM CORE.NEWS_REACTIONS WHERE PARTITION_DATE BETWEEN %(first_day)s AND %(last_day)s;
