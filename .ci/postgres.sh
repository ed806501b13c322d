#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and CI: one server per checkout, in a temporary folder, on a free loopback
# port, trusted for local connections only, with a `statements` database in it.
#
#   .ci/postgres.sh start   # installs Debian's postgresql when missing, starts the server (or finds it running)
#                           # and prints DATABASE_URL=postgres://postgres@127.0.0.1:PORT/statements
#   .ci/postgres.sh url     # prints that line again (fails when the server is not running)
#   .ci/postgres.sh replica # a streaming replica of that server (pg_basebackup -R) on another port, started when
#                           # needed; prints DATABASE_READ_URL=postgres://postgres@127.0.0.1:PORT/statements
#   .ci/postgres.sh stop    # stops the servers and removes their folder
#
# In a script under `set -e`, keep the assignment on its own line, so that a failed start stops the script
# (`export "$(…)"` or `eval "$(…)"` would hide the failure):
#   line="$(.ci/postgres.sh start)"; export "$line"
# Only the last line of `start` goes to standard output; progress goes to standard error.
#
# As root (CI, the dev machines) the server runs as the `postgres` user, as initdb and postgres refuse root;
# as any other user it runs as that user. The folder is named after this checkout, so two work trees on one
# machine get two servers, and `start` run twice reuses the first.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# cksum is in coreutils: a short stable name for this checkout.
TAG="$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
DIR="${STATEMENTS_PG_DIR:-${TMPDIR:-/tmp}/statements-pg-$TAG}"
DATA="$DIR/data"
REPLICA="$DIR/replica"
DATABASE="statements"

say() { printf '%s\n' "$*" >&2; }

# The newest installed server's binaries (Debian keeps them out of PATH, one folder per major version).
bindir() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then
    printf '%s\n' "$found"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

install_postgres() {
  if [ -n "$(bindir)" ]; then return; fi
  if [ "$(id -u)" -ne 0 ]; then
    say "postgres.sh: PostgreSQL is not installed, and only root can install it (apt-get install postgresql)."
    exit 1
  fi
  say "postgres.sh: installing Debian's postgresql"
  apt-get update >&2
  # The package's own cluster is not wanted: ours lives in the temporary folder.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/no-main-cluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql postgresql-contrib >&2
}

# Runs a command as the server's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() {
  [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

url() {
  printf 'DATABASE_URL=postgres://postgres@127.0.0.1:%s/%s\n' "$(cat "$DIR/port")" "$DATABASE"
}

# A port nothing listens on: a random one above the usual services, checked with a connection attempt.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return
    fi
  done
  say "postgres.sh: no free port found"
  exit 1
}

start() {
  install_postgres
  BIN="$(bindir)"
  if running; then
    url
    return
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
    chmod 700 "$DIR"
    say "postgres.sh: initdb into $DATA"
    # --no-sync: a throwaway cluster need not survive a power cut, and fsync is most of initdb's time.
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$DIR/initdb.log" 2>&1 ||
      {
        cat "$DIR/initdb.log" >&2
        exit 1
      }
  fi
  # A server stopped uncleanly leaves its pid file; pg_ctl start copes with a stale one.
  local tries=0
  while :; do
    free_port >"$DIR/port"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR/port"
    # Loopback TCP only, its unix socket in the folder (not /var/run/postgresql, which may not exist),
    # and durability off: tests want speed, and a crash only loses a throwaway database.
    if as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $(cat "$DIR/port") -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >&2; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 3 ]; then
      tail -n 20 "$DIR/server.log" >&2 || true
      exit 1
    fi
    say "postgres.sh: start failed (port taken meanwhile?), trying another port"
  done
  if ! as_owner "$BIN/psql" -h "$DIR" -p "$(cat "$DIR/port")" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
    as_owner "$BIN/createdb" -h "$DIR" -p "$(cat "$DIR/port")" -U postgres "$DATABASE"
  fi
  url
}

replica_running() {
  [ -f "$REPLICA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$REPLICA" status >/dev/null 2>&1
}

# A hot standby fed by streaming replication from the server above: a copy of its cluster taken with
# pg_basebackup, which -R makes a standby (standby.signal and primary_conninfo). It replays what the server
# commits, a moment later; tests may hold it further back with recovery_min_apply_delay (ALTER SYSTEM on it).
replica() {
  start >/dev/null
  local port
  port="$(cat "$DIR/port")"
  if ! replica_running; then
    rm -rf "$REPLICA"
    say "postgres.sh: pg_basebackup into $REPLICA"
    as_owner "$BIN/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$REPLICA" -R -X stream -c fast --no-sync >&2
    free_port >"$DIR/replica-port"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR/replica-port"
    as_owner "$BIN/pg_ctl" -D "$REPLICA" -l "$DIR/replica.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $(cat "$DIR/replica-port") -k $DIR -c fsync=off -c max_connections=200 -c hot_standby=on" \
      start >&2
  fi
  printf 'DATABASE_READ_URL=postgres://postgres@127.0.0.1:%s/%s\n' "$(cat "$DIR/replica-port")" "$DATABASE"
}

stop() {
  BIN="$(bindir)"
  if [ -n "$BIN" ] && replica_running; then as_owner "$BIN/pg_ctl" -D "$REPLICA" -m fast -w stop >&2; fi
  if [ -n "$BIN" ] && running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2; fi
  rm -rf "$DIR"
}

case "${1:-}" in
start) start ;;
replica) replica ;;
stop) stop ;;
url)
  BIN="$(bindir)"
  if [ -z "$BIN" ] || ! running; then
    say "postgres.sh: not running (start it with: .ci/postgres.sh start)"
    exit 1
  fi
  url
  ;;
*)
  say "usage: $0 start|url|replica|stop"
  exit 2
  ;;
esac
