"""Dagster definitions, one folder per domain: prices, news, portfolio, alerts."""
