-- The raw items of some days, oldest first (so "first seen" wins when duplicates are removed).
SELECT PARTITION_DATE, ID, PUBLISHED_AT, HEADLINE, SUMMARY, SOURCE, URL, IMAGE
FROM RAW.NEWS
WHERE PARTITION_DATE BETWEEN %(first_day)s AND %(last_day)s
ORDER BY PUBLISHED_AT, ID;
