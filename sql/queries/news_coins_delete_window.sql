-- Drop the coin tags of the days about to be rebuilt.
DELETE FROM CORE.NEWS_COINS WHERE PARTITION_DATE BETWEEN %(first_day)s AND %(last_day)s;
