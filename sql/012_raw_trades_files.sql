-- Internal stage the loader PUTs each batch's Parquet file to, under a folder per LOAD_ID.
CREATE STAGE IF NOT EXISTS RAW.TRADES_FILES;
