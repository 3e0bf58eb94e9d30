-- Items whose UTC publication date is not the day (partition) they are filed under: must be none.
SELECT COUNT(*) FROM CORE.NEWS WHERE TO_DATE(PUBLISHED_AT) <> PARTITION_DATE;
