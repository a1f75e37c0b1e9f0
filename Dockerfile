# The Constellation app (explorer + CLI) for use with Neo4j 5: see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . /app
RUN pip install . \
    && useradd --create-home --uid 10001 constellation \
    && mkdir -p /artifacts && chown constellation /artifacts
USER constellation

EXPOSE 8050
# Inside the container the explorer must listen on all interfaces; compose publishes it on
# 127.0.0.1 of the host only.
CMD ["constellation", "serve", "--host", "0.0.0.0", "--port", "8050"]
