-- The platform's schemas: RAW (loaded as received), CORE (processed views and tables),
-- PORTFOLIO (written by the dashboard), OPS (loader offsets, alerts).
CREATE SCHEMA IF NOT EXISTS RAW;
CREATE SCHEMA IF NOT EXISTS CORE;
CREATE SCHEMA IF NOT EXISTS PORTFOLIO;
CREATE SCHEMA IF NOT EXISTS OPS;
