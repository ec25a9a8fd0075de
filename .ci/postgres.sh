#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the storage tests.
#
#   eval "$(bash .ci/postgres.sh start)"   # prints: export PYJL_TEST_POSTGRESQL=postgresql://...
#   bash .ci/postgres.sh stop              # stops it and removes its folder
#
# `start` installs Debian's `postgresql` package when no initdb is found (as root: apt-get),
# runs initdb into a fresh folder (as the `postgres` user when run as root: the server
# refuses to run as root), and starts it with pg_ctl listening on 127.0.0.1 only, on a free
# port, and on a Unix socket in that folder. The one user `pyjl` has a random password
# (scram-sha-256, for TCP and the socket alike); the database is `pyjl_test`. Only the
# export line goes to stdout; progress goes to stderr. The folder is $PYJL_PG_DIR
# (default: /tmp/pyjl-postgres-$UID), which `stop` removes.
set -euo pipefail

dir=${PYJL_PG_DIR:-${TMPDIR:-/tmp}/pyjl-postgres-$(id -u)}
say() { echo "postgres.sh: $*" >&2; }

find_bin() {
    local b
    b=$(command -v initdb 2>/dev/null || true)
    if [ -z "$b" ]; then
        b=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    [ -n "$b" ] && dirname "$(readlink -f "$b")"
}

as_owner() {  # run a server binary as the cluster's owner
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local bin
    bin=$(find_bin || true)
    if [ -z "$bin" ]; then
        if [ "$(id -u)" != 0 ]; then
            say "no PostgreSQL found and not root: install Debian's postgresql package"
            exit 1
        fi
        say "installing Debian's postgresql package"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
            || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -q postgresql >&2; }
        bin=$(find_bin)
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then
        stop
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 700 "$dir"
    local pw port
    pw=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf '%s\n' "$pw" >"$dir/pw"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres: "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U pyjl --pwfile="$dir/pw" --auth=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
        >&2 || { cat "$dir/server.log" >&2; exit 1; }
    PGPASSWORD=$pw "$bin/createdb" -h 127.0.0.1 -p "$port" -U pyjl pyjl_test
    echo "$bin" >"$dir/bin"
    say "server on 127.0.0.1:$port and $dir/.s.PGSQL.$port (database pyjl_test)"
    echo "export PYJL_TEST_POSTGRESQL=postgresql://pyjl:$pw@127.0.0.1:$port/pyjl_test"
}

stop() {
    if [ -f "$dir/data/postmaster.pid" ]; then
        local bin
        bin=$(cat "$dir/bin" 2>/dev/null || find_bin)
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
    say "stopped and removed $dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
