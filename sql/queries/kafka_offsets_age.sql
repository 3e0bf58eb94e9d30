-- Seconds since the loader last advanced any partition of a topic (or started tracking it); NULL
-- when the topic is not tracked yet: how the loader_progress check tells a stalled loader.
SELECT DATEDIFF(SECOND, MAX(UPDATED_AT), SYSDATE()) FROM OPS.KAFKA_OFFSETS WHERE TOPIC = %(topic)s;
