-- Kafka messages loaded more than once: must be none (exactly-once load).
SELECT COUNT(*) FROM (
    SELECT KAFKA_PARTITION, KAFKA_OFFSET FROM RAW.TRADES
    GROUP BY KAFKA_PARTITION, KAFKA_OFFSET
    HAVING COUNT(*) > 1
);
