-- Bulk-load one write's reactions (a Parquet file in the news stage) into CORE.NEWS_REACTIONS, then remove the file.
COPY INTO CORE.NEWS_REACTIONS
FROM @RAW.NEWS_FILES/{load_id}/
FILE_FORMAT = (TYPE = PARQUET)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
PURGE = TRUE;
