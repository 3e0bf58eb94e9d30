-- Compare-and-set: advance a partition only from the offset this batch started at. Zero rows
-- updated means another loader committed that range first, and this batch must not insert.
UPDATE OPS.KAFKA_OFFSETS
SET NEXT_OFFSET = %(next_offset)s, UPDATED_AT = SYSDATE()
WHERE TOPIC = %(topic)s AND KAFKA_PARTITION = %(partition)s AND NEXT_OFFSET = %(expected)s;
