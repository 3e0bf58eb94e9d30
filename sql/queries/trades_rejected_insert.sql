-- One message that is not a valid trade (inside the batch's transaction).
INSERT INTO RAW.TRADES_REJECTED (KAFKA_PARTITION, KAFKA_OFFSET, REASON, RAW, LOADED_AT)
VALUES (%(partition)s, %(offset)s, %(reason)s, %(raw)s, SYSDATE());
