"""The Kafka -> warehouse loader for trades: bounded runs (the `raw_trades` asset) and `--follow`."""
