"""Plumbing that knows no domain: Kafka, S3 and Dagster API clients, backoff, redaction."""
