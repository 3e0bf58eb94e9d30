-- The loader's stored position per partition of a topic.
SELECT KAFKA_PARTITION, NEXT_OFFSET FROM OPS.KAFKA_OFFSETS WHERE TOPIC = %(topic)s;
