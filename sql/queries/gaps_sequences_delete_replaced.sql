-- Drop the OPS.FEED_SEQUENCES rows that gaps_sequences_refresh replaced under %(load_id)s.
DELETE FROM OPS.FEED_SEQUENCES AS S
WHERE S.REFRESH_ID <> %(load_id)s
  AND EXISTS (
      SELECT 1 FROM OPS.FEED_SEQUENCES AS N
      WHERE N.REFRESH_ID = %(load_id)s AND N.SOURCE = S.SOURCE AND N.FEED_SYMBOL = S.FEED_SYMBOL
  );
