-- Bulk-load one write's coin tags (a Parquet file in the news stage) into CORE.NEWS_COINS, then remove the file.
COPY INTO CORE.NEWS_COINS
FROM @RAW.NEWS_FILES/{load_id}/
FILE_FORMAT = (TYPE = PARQUET)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
PURGE = TRUE;
