-- When the newest news item loaded was published (NULL with none): where the News page's date range
-- ends by default.
SELECT MAX(PUBLISHED_AT) AS NEWEST FROM CORE.NEWS;
