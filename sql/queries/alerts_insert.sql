-- Record one alert sent (the OPS.ALERTS channel).
INSERT INTO OPS.ALERTS (ALERT_ID, RAISED_AT, RULE, KIND, ASSET_KEY, CHECK_NAME, SEVERITY, MESSAGE, DAGSTER_URL)
VALUES (%(id)s, %(raised_at)s, %(rule)s, %(kind)s, %(asset_key)s, %(check_name)s, %(severity)s, %(message)s,
        %(dagster_url)s);
