"""The producer: live trade feeds parsed into canonical trades and written to Kafka."""
