-- How many news items are loaded and when the newest was published: where the News page's date
-- range ends by default. (The count tells "none": the emulator returns a NULL timestamp as 1970-01-01.)
SELECT COUNT(*) AS ITEMS, MAX(PUBLISHED_AT) AS NEWEST FROM CORE.NEWS;
