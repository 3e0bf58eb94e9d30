# One image for every platform process in docker-compose.yml (Dagster, producer, dashboard, emulator).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY crypto_platform ./crypto_platform
COPY sql ./sql
COPY streamlit_app ./streamlit_app
COPY workspace.yaml ./
RUN pip install --no-cache-dir . "dagster-postgres==0.29.27"
ENV DAGSTER_HOME=/opt/dagster/home
COPY infra/dagster/dagster.yaml /opt/dagster/home/dagster.yaml
