-- One coin tag of a news item.
INSERT INTO CORE.NEWS_COINS (NEWS_ID, PARTITION_DATE, TICKER) VALUES (%(news_id)s, %(partition_date)s, %(ticker)s);
