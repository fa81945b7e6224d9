#!/usr/bin/env bash
# The production shape without Docker: gunicorn, a Celery worker and Celery
# beat against PostgreSQL and Redis on localhost, run by honcho from the
# Procfile. Ctrl-C (or SIGTERM) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG=false
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/homecoming}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export CACHE_URL=${CACHE_URL:-${REDIS_URL%/*}/1}
export VAR_DIR=${VAR_DIR:-$PWD/var}
export WEB_BIND=${WEB_BIND:-127.0.0.1:8000}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
# Plain HTTP on this machine; behind a TLS proxy leave these at their secure defaults.
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-false}
export CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-false}
export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}

mkdir -p "$VAR_DIR"
if [ -z "${SECRET_KEY:-}" ]; then
    # A key of this machine's own, made once and kept out of the repository.
    key_file="$VAR_DIR/stack-secret-key"
    [ -s "$key_file" ] || (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(64))" > "$key_file")
    SECRET_KEY=$(cat "$key_file")
    export SECRET_KEY
fi

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
echo "stack: serving http://$WEB_BIND (health: http://$WEB_BIND/healthz)"
PATH="$PWD/.venv/bin:$PATH" exec .venv/bin/honcho start -f Procfile
