-- The coins news items are tagged with: a ticker and the names it goes by, the rows of
-- crypto_platform/common/assets.py (a test holds them to it). Data, not code: add a row to tag a new
-- coin. Tickers match whole words in upper case; names match whole words in any case; a blank name
-- tags by the ticker alone.
CREATE TABLE IF NOT EXISTS CORE.COINS (
    TICKER VARCHAR NOT NULL,
    NAME VARCHAR NOT NULL
);
-- Polygon's token is POL since September 2024, no longer MATIC.
DELETE FROM CORE.COINS WHERE TICKER = 'MATIC' AND NAME = 'Polygon';
MERGE INTO CORE.COINS AS C
USING (
    SELECT COLUMN1 AS TICKER, COLUMN2 AS NAME
    FROM VALUES
        ('BTC', 'Bitcoin'), ('ETH', 'Ethereum'), ('ETH', 'Ether'), ('SOL', 'Solana'),
        ('BNB', 'Binance Coin'), ('XRP', 'Ripple'), ('ADA', 'Cardano'), ('DOGE', 'Dogecoin'),
        ('AVAX', 'Avalanche'), ('DOT', 'Polkadot'), ('LINK', 'Chainlink'), ('LTC', 'Litecoin'),
        ('POL', 'Polygon'), ('MATIC', ''), ('TRX', 'Tron'), ('TON', 'Toncoin'),
        ('SHIB', 'Shiba Inu'), ('BCH', 'Bitcoin Cash'), ('XLM', 'Stellar Lumens'),
        ('ATOM', 'Cosmos Hub'), ('UNI', 'Uniswap'), ('NEAR', 'NEAR Protocol'), ('APT', 'Aptos'),
        ('ARB', 'Arbitrum'), ('OP', ''), ('FIL', 'Filecoin'), ('ETC', 'Ethereum Classic'),
        ('SUI', ''), ('PEPE', 'Pepe'), ('HBAR', 'Hedera'), ('ICP', 'Internet Computer'),
        ('AAVE', 'Aave')
) AS S
ON C.TICKER = S.TICKER AND C.NAME = S.NAME
WHEN NOT MATCHED THEN INSERT (TICKER, NAME) VALUES (S.TICKER, S.NAME);
