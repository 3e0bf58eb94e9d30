-- Production only, optional: Snowflake's own auto-ingest (S3 event -> SQS -> Snowpipe) into RAW.NEWS,
-- for users who prefer it to the Dagster arrival sensor. Bad lines are skipped by ON_ERROR and
-- visible in COPY_HISTORY; the Dagster path quarantines them instead.
CREATE PIPE IF NOT EXISTS RAW.NEWS_PIPE AUTO_INGEST = TRUE AS
COPY INTO RAW.NEWS (PARTITION_DATE, ID, PUBLISHED_AT, HEADLINE, SUMMARY, SOURCE, URL, IMAGE, RELATED, CATEGORY, S3_KEY, LOADED_AT)
FROM (
    SELECT
        TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'date=([0-9-]+)', 1, 1, 'e')),
        $1:id::INTEGER,
        TO_TIMESTAMP_NTZ($1:datetime::INTEGER),
        $1:headline::VARCHAR,
        $1:summary::VARCHAR,
        $1:source::VARCHAR,
        $1:url::VARCHAR,
        $1:image::VARCHAR,
        $1:related::VARCHAR,
        $1:category::VARCHAR,
        METADATA$FILENAME,
        SYSDATE()
    FROM @RAW.NEWS_S3
)
ON_ERROR = CONTINUE;
