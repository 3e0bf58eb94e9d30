-- The loader's position in each Kafka partition: the next offset to load. Advanced in the same
-- transaction as the rows it covers, so the warehouse, not the consumer group, is the truth.
CREATE TABLE IF NOT EXISTS OPS.KAFKA_OFFSETS (
    TOPIC VARCHAR NOT NULL,
    KAFKA_PARTITION INTEGER NOT NULL,
    NEXT_OFFSET INTEGER NOT NULL,
    UPDATED_AT TIMESTAMP_NTZ NOT NULL,
    PRIMARY KEY (TOPIC, KAFKA_PARTITION)
);
