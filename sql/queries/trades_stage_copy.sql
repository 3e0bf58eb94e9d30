-- Bulk-load one batch's Parquet file into the staging table, then remove the file.
COPY INTO RAW.TRADES_STAGE
FROM @RAW.TRADES_FILES/{load_id}/
FILE_FORMAT = (TYPE = PARQUET)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
PURGE = TRUE;
