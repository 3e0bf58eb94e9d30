-- The coins news items are tagged with: a ticker and the names it goes by. Data, not code: add a
-- row to tag a new coin. Tickers match whole words in upper case; names match whole words in any case.
CREATE TABLE IF NOT EXISTS CORE.COINS (
    TICKER VARCHAR NOT NULL,
    NAME VARCHAR NOT NULL
);
MERGE INTO CORE.COINS AS C
USING (
    SELECT COLUMN1 AS TICKER, COLUMN2 AS NAME
    FROM VALUES
        ('BTC', 'Bitcoin'), ('ETH', 'Ethereum'), ('ETH', 'Ether'), ('SOL', 'Solana'),
        ('BNB', 'Binance Coin'), ('XRP', 'Ripple'), ('ADA', 'Cardano'), ('DOGE', 'Dogecoin'),
        ('AVAX', 'Avalanche'), ('DOT', 'Polkadot'), ('LINK', 'Chainlink'), ('LTC', 'Litecoin'),
        ('MATIC', 'Polygon')
) AS S
ON C.TICKER = S.TICKER AND C.NAME = S.NAME
WHEN NOT MATCHED THEN INSERT (TICKER, NAME) VALUES (S.TICKER, S.NAME);
