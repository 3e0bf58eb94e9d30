# One image for every platform process in docker-compose.yml (Dagster, producer, dashboard, emulator)
# and on Kubernetes (infra/k8s/: the user-code deployment, its runs, producer, loader, dashboard).
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
RUN pip install --no-cache-dir -e ".[deploy]"
ENV DAGSTER_HOME=/opt/dagster/home
COPY infra/dagster/dagster.yaml /opt/dagster/home/dagster.yaml
