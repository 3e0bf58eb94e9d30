-- Production only: the landing prefix as an external stage of JSON lines.
CREATE STAGE IF NOT EXISTS RAW.NEWS_S3
    URL = 's3://crypto-landing/news/'
    STORAGE_INTEGRATION = CRYPTO_NEWS_S3
    FILE_FORMAT = (TYPE = JSON);
