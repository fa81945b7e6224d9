#!/usr/bin/env bash
# Start the local PostgreSQL and Redis that `make test` and `make stack` use,
# if they are not running, and create the application database.
# The start commands are the ones this machine's documentation gives.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB_NAME=${DB_NAME:-homecoming}

wait_for() {
    local what=$1; shift
    for _ in $(seq 1 60); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "ensure-services: $what did not come up" >&2
    return 1
}

if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
    echo "ensure-services: starting PostgreSQL"
    if command -v pg_ctlcluster >/dev/null; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    else
        echo "ensure-services: PostgreSQL is down and pg_ctlcluster is missing; start it and retry" >&2
        exit 1
    fi
    wait_for PostgreSQL pg_isready -q -h "$PGHOST" -p "$PGPORT"
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    echo "ensure-services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
fi

if ! psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -E UTF8 -T template0 "$DB_NAME"
fi
