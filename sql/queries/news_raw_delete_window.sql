-- Drop the days about to be reloaded (delete-then-insert over the partition window).
DELETE FROM RAW.NEWS WHERE PARTITION_DATE BETWEEN %(first_day)s AND %(last_day)s;
