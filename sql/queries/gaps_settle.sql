-- Settle gap %(gap_id)s while it is still open: its new state %(state)s, the trades a repair
-- recovered %(recovered)s and why %(detail)s.
UPDATE OPS.TRADE_GAPS
SET STATE = %(state)s, RECOVERED = %(recovered)s, DETAIL = %(detail)s, SETTLED_AT = SYSDATE()
WHERE GAP_ID = %(gap_id)s AND STATE = 'open';
