-- Production only: lets Snowflake read the landing bucket. Replace the role ARN and bucket, then
-- run `DESC INTEGRATION CRYPTO_NEWS_S3` and trust its IAM user in the role (see Snowflake docs).
CREATE STORAGE INTEGRATION IF NOT EXISTS CRYPTO_NEWS_S3
    TYPE = EXTERNAL_STAGE
    STORAGE_PROVIDER = 'S3'
    ENABLED = TRUE
    STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/crypto-news-snowflake'
    STORAGE_ALLOWED_LOCATIONS = ('s3://crypto-landing/news/');
