"""Live prices: the Kafka trade topic, raw trades in the warehouse and the views over them."""
