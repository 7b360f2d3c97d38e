#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl in a private directory, listening
# only on a Unix socket inside it, with one database `ward_test`.
#
#   pg_cluster.sh start DIR   creates DIR (removing an old one), starts the cluster, prints the URL
#                             and writes it to DIR/url
#   pg_cluster.sh stop DIR    stops the cluster (immediate) and removes DIR
#   pg_cluster.sh url DIR     prints the URL of the cluster in DIR
#
# WARD_PG_FSYNC=on (default off) starts the cluster with fsync on (the server's default).
#
# The URL is postgresql:///ward_test?host=DIR/sock&user=postgres (trust authentication on the
# socket; the directory is private to the test run). Run as root, the server runs as the
# `postgres` user (runuser), as PostgreSQL refuses to run as root. The binaries are looked up in
# $WARD_PG_BINDIR, then /usr/lib/postgresql/15/bin, then PATH; when they are missing this FAILS
# (scripts/install-deps.sh installs the Debian `postgresql` package), so the PG tests never skip.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: pg_cluster.sh start|stop|url DIR" >&2
  exit 2
fi
dir="$(realpath -m "$dir")"

find_bindir() {
  local d
  for d in "${WARD_PG_BINDIR:-}" /usr/lib/postgresql/15/bin; do
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return 0
  fi
  echo "pg_cluster.sh: PostgreSQL server binaries (initdb, pg_ctl) not found; install the" \
    "Debian package 'postgresql' (bash scripts/install-deps.sh) or set WARD_PG_BINDIR" >&2
  return 1
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url_of() { echo "postgresql:///ward_test?host=$1/sock&user=postgres"; }

case "$cmd" in
  start)
    bindir="$(find_bindir)"
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir/data" "$dir/sock"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir"; fi
    chmod 700 "$dir/data"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # Unix socket only; fsync off (a test cluster: durability is not what these tests measure;
    # WARD_PG_FSYNC=on starts a durable one, for bench/pg_ingest_bench.py).
    fsync="${WARD_PG_FSYNC:-off}"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c fsync=$fsync \
          -c max_connections=100" start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bindir/psql" -X -q -h "$dir/sock" -U postgres -d postgres \
      -c "CREATE DATABASE ward_test" >/dev/null
    url_of "$dir" >"$dir/url"
    url_of "$dir"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      bindir="$(find_bindir)"
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  url)
    url_of "$dir"
    ;;
  *)
    echo "pg_cluster.sh: unknown command '$cmd' (start|stop|url)" >&2
    exit 2
    ;;
esac
