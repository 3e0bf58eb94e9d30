-- The tickers news items can be tagged with: the News page's coin filter.
SELECT DISTINCT TICKER FROM CORE.COINS ORDER BY TICKER;
