-- Upload one load's Parquet file to its own folder of the news stage.
PUT 'file://{path}' @RAW.NEWS_FILES/{load_id} AUTO_COMPRESS = FALSE OVERWRITE = TRUE;
