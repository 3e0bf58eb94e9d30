-- Internal stage the news load PUTs each day's Parquet file to (the emulator cannot read s3://
-- stages; on Snowflake, sql/snowflake/ also defines the external stage and Snowpipe).
CREATE STAGE IF NOT EXISTS RAW.NEWS_FILES;
