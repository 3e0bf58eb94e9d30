-- Bulk-load one load's Parquet file into RAW.NEWS, then remove the file.
COPY INTO RAW.NEWS
FROM @RAW.NEWS_FILES/{load_id}/
FILE_FORMAT = (TYPE = PARQUET)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
PURGE = TRUE;
