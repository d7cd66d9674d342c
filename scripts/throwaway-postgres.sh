#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster for the tests when none is given:
#
#   source scripts/throwaway-postgres.sh   # sets INVEX_TEST_POSTGRES_URL, stops it on exit
#
# Nothing happens when INVEX_TEST_POSTGRES_URL is already set or a server
# answers on 127.0.0.1:5432 (the tests' default). Otherwise Debian's
# `postgresql` package is installed if missing, a cluster is created in a
# temporary folder (trust authentication, loopback only) on a free port,
# and it is stopped and deleted when the sourcing shell exits.
# INVEX_THROWAWAY_POSTGRES=1 starts one even when 5432 answers.

throwaway_postgres() {
  if [[ -n "${INVEX_TEST_POSTGRES_URL:-}" ]]; then
    return 0
  fi
  if [[ "${INVEX_THROWAWAY_POSTGRES:-0}" != 1 ]] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    return 0
  fi
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "no PostgreSQL on 127.0.0.1:5432: installing Debian's postgresql for a throw-away cluster" >&2
    local sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  fi
  # The server refuses to run as root: the cluster belongs to `postgres`
  # (created by the package) when we are root, else to us.
  local run=() owner
  owner="$(id -un)"
  if [[ "$(id -u)" == 0 ]]; then
    owner=postgres
    run=(runuser -u postgres --)
  fi
  local dir port
  dir="$(mktemp -d /tmp/invex-pg.XXXXXX)"
  chown "$owner" "$dir"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
  export INVEX_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  INVEX_THROWAWAY_POSTGRES_STOP="${run[*]} $bin/pg_ctl -D $dir/data -m immediate stop; rm -rf $dir"
  trap 'eval "$INVEX_THROWAWAY_POSTGRES_STOP" >/dev/null 2>&1' EXIT
  echo "started a throw-away PostgreSQL at $INVEX_TEST_POSTGRES_URL" >&2
}

throwaway_postgres
