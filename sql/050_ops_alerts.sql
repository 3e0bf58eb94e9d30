-- Every alert the platform sent: check failures and recoveries, price alerts, failed runs and
-- test messages, one row per alert and rule (the OPS.ALERTS channel), shown on the Pipeline page.
CREATE TABLE IF NOT EXISTS OPS.ALERTS (
    ALERT_ID VARCHAR NOT NULL,
    RAISED_AT TIMESTAMP_NTZ NOT NULL,
    RULE VARCHAR NOT NULL,
    KIND VARCHAR NOT NULL,
    ASSET_KEY VARCHAR,
    CHECK_NAME VARCHAR,
    SEVERITY VARCHAR,
    MESSAGE VARCHAR NOT NULL,
    DAGSTER_URL VARCHAR
);
