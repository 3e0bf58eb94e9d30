-- Bulk-load one write's processed items (a Parquet file in the news stage) into CORE.NEWS, then remove the file.
COPY INTO CORE.NEWS
FROM @RAW.NEWS_FILES/{load_id}/
FILE_FORMAT = (TYPE = PARQUET)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
PURGE = TRUE;
