-- Drop the processed days about to be rebuilt.
DELETE FROM CORE.NEWS WHERE PARTITION_DATE BETWEEN %(first_day)s AND %(last_day)s;
