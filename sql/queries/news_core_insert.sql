-- One processed news item.
INSERT INTO CORE.NEWS (ID, PARTITION_DATE, PUBLISHED_AT, HEADLINE, SUMMARY, SOURCE, URL, IMAGE, SENTIMENT, PROCESSED_AT)
VALUES (%(id)s, %(partition_date)s, %(published_at)s, %(headline)s, %(summary)s, %(source)s, %(url)s, %(image)s,
        %(sentiment)s, SYSDATE());
