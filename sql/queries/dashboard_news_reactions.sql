-- The price reactions to the news published in a time window (one row per story and coin it is
-- tagged with), only those of %(coin)s unless it is NULL.
SELECT NEWS_ID, TICKER, SENTIMENT, RETURN_5M, RETURN_1H, RETURN_1D, MISSING
FROM CORE.NEWS_REACTIONS
WHERE PUBLISHED_AT >= %(since)s AND PUBLISHED_AT < %(until)s AND (%(coin)s IS NULL OR TICKER = %(coin)s)
ORDER BY NEWS_ID, TICKER;
