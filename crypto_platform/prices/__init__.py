"""Live prices: the canonical trade, the producer (feeds -> Kafka) and the loader (Kafka -> RAW.TRADES)."""
