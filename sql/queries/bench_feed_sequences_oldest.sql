-- The oldest of the feed symbols' newest live trades loaded (epoch ms), and how many feed symbols
-- there are: once it is past a time, every gap before that time has been found.
SELECT MIN(DATE_PART(EPOCH_MILLISECOND, LAST_TRADE_TS)), COUNT(*)
FROM OPS.FEED_SEQUENCES;
