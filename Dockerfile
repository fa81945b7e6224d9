# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Build-time settings only: collectstatic and compilemessages need a key,
# never a database. The real key comes from the environment at run time.
RUN SECRET_KEY=build-only DEBUG=false python manage.py compilemessages --ignore=.venv --verbosity 0 \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --home /app homecoming \
    && mkdir -p /app/var/evidence \
    && chown -R homecoming /app/var

USER homecoming
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
