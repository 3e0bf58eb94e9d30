"""The daily news batch: Finnhub news landed in S3, loaded into RAW.NEWS, processed into CORE.NEWS."""
