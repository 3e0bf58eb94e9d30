-- Drop a batch's staged rows once committed, and any left by a batch that never committed.
DELETE FROM RAW.TRADES_STAGE
WHERE LOAD_ID = %(load_id)s OR STAGED_AT < DATEADD(HOUR, -1, SYSDATE());
