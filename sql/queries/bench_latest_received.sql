-- Each symbol's last trade as CORE.LATEST_PRICES shows it, with the time (epoch ms) the producer
-- received it: what the latency benchmark times.
SELECT L.SYMBOL, L.TRADE_TS, MAX(DATE_PART(EPOCH_MILLISECOND, T.RECEIVED_TS)) AS RECEIVED_MS
FROM CORE.LATEST_PRICES AS L
JOIN RAW.TRADES AS T ON T.SYMBOL = L.SYMBOL AND T.TRADE_TS = L.TRADE_TS
GROUP BY L.SYMBOL, L.TRADE_TS;
