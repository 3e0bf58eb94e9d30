-- Internal stage each news write PUTs its Parquet files to, one folder per file, before COPY INTO
-- RAW.NEWS, CORE.NEWS or CORE.NEWS_COINS (the emulator cannot read s3:// stages; on Snowflake,
-- sql/snowflake/ also defines the external stage and Snowpipe).
CREATE STAGE IF NOT EXISTS RAW.NEWS_FILES;
