#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 server with the pgvector and unaccent
# extensions for the tests of repository/postgres, installing it first when
# needed. Run it as root on Debian bookworm; running it again is harmless (an
# installed server is not reinstalled, a running one is left as it is). The
# server keeps running; its DSN is the last line printed, for
#
#   SABIA_TEST_POSTGRES_DSN="$(bash scripts/postgres-test-server.sh | tail -n 1)" go test ./repository/postgres/
#
# The server trusts every local connection and runs with fsync off: it is
# for tests only. Settings, from the environment:
#   SABIA_PG_PORT  TCP port on 127.0.0.1 (default 55432)
#   SABIA_PG_DATA  data directory (default /var/tmp/sabia-postgres-test)
set -euo pipefail

pg=15
port=${SABIA_PG_PORT:-55432}
data=${SABIA_PG_DATA:-/var/tmp/sabia-postgres-test}
bin=/usr/lib/postgresql/$pg/bin
ext=/usr/share/postgresql/$pg/extension

log() { echo "postgres-test-server: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
  log "run me as root"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

# install_server installs PostgreSQL from Debian's packages; contrib (with
# unaccent) comes with postgresql-15.
install_server() {
  if [ -x "$bin/postgres" ] && [ -f "$ext/unaccent.control" ]; then
    return
  fi
  log "installing PostgreSQL $pg"
  apt-get update -qq
  apt-get install -y -qq "postgresql-$pg" >/dev/null
}

# install_pgvector builds pgvector against the server: bookworm has no
# package of it, so the source comes from Debian trixie's source package
# (pgvector 0.8), through a deb-src entry on the mirror already configured.
install_pgvector() {
  if [ -f "$ext/vector.control" ]; then
    return
  fi
  log "building pgvector for PostgreSQL $pg"
  local list=/etc/apt/sources.list.d/sabia-trixie-src.sources
  if [ ! -f "$list" ]; then
    local mirror=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources | head -n 1)
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
      mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
    fi
    if [ -z "$mirror" ]; then
      log "no Debian mirror found in the apt sources"
      exit 1
    fi
    cat >"$list" <<EOF
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  apt-get update -qq
  apt-get install -y -qq "postgresql-server-dev-$pg" make gcc dpkg-dev >/dev/null
  local build
  build=$(mktemp -d)
  (
    cd "$build"
    apt-get source --download-only pgvector >/dev/null 2>&1
    tar -xzf pgvector_*.orig.tar.gz
    cd pgvector-*/
    make -s PG_CONFIG="$bin/pg_config" >/dev/null
    make -s install PG_CONFIG="$bin/pg_config" >/dev/null
  )
  rm -rf "$build"
}

# start_server creates the cluster if it does not exist and starts it unless
# it runs already.
start_server() {
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating a cluster in $data"
    mkdir -p "$data"
    chown postgres:postgres "$data"
    chmod 700 "$data"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if runuser -u postgres -- "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "server already running in $data"
    return
  fi
  log "starting the server on 127.0.0.1:$port"
  runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
}

install_server
install_pgvector
start_server
for _ in $(seq 1 30); do
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    exit 0
  fi
  sleep 1
done
log "server on 127.0.0.1:$port does not answer; see $data/server.log"
exit 1
