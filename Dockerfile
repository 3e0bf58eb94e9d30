# One image for every platform process in docker-compose.yml (Dagster, producer, dashboard, emulator).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY crypto_platform ./crypto_platform
COPY sql ./sql
COPY streamlit_app ./streamlit_app
COPY .streamlit ./.streamlit
COPY config ./config
COPY workspace.yaml ./
# Editable, so the package finds sql/, config/ and streamlit_app/ beside it in /app.
RUN pip install --no-cache-dir -e . "dagster-postgres==0.29.27"
ENV DAGSTER_HOME=/opt/dagster/home
COPY infra/dagster/dagster.yaml /opt/dagster/home/dagster.yaml
