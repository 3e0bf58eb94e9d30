-- Upload one batch's Parquet file to its own folder of the loader's stage.
PUT 'file://{path}' @RAW.TRADES_FILES/{load_id} AUTO_COMPRESS = FALSE OVERWRITE = TRUE;
