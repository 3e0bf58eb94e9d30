-- Reactions of stories published since a time (those whose last horizon may not have settled when
-- they were computed), for the sensor that fills returns in as their horizons pass.
SELECT PARTITION_DATE, PUBLISHED_AT, COMPUTED_AT
FROM CORE.NEWS_REACTIONS
WHERE PUBLISHED_AT >= %(since)s;
