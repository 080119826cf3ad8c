#!/usr/bin/env bash
# PostgreSQL (Debian package, 15 on bookworm) for the SQL store tests:
# 127.0.0.1:5432, role dcms/dcms, databases dcms_test and dcms_bench.
# Works without systemd: the cluster is driven by pg_ctlcluster directly.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER=main
PG_HOST=127.0.0.1
PG_PORT=5432
DB_USER=dcms
DB_PASS=dcms
DATABASES=(dcms_test dcms_bench)

CONF_DIR="/etc/postgresql/$PG_VERSION/$PG_CLUSTER"

# psql as the postgres superuser over the local socket (peer auth).
psql_admin() {
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"
}

cluster_running() {
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1
}

main() {
  require_root
  # `postgresql` pulls the distribution's default major version (15 on bookworm).
  apt_install postgresql "postgresql-$PG_VERSION"

  # The package normally creates the cluster; create it if it is missing
  # (e.g. create_main_cluster = false, or the data folder was wiped).
  if [ ! -f "$CONF_DIR/postgresql.conf" ]; then
    log "creating cluster $PG_VERSION/$PG_CLUSTER"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" >&2
  fi

  # Our settings go in conf.d (included by Debian's postgresql.conf). Only
  # loopback IPv4; durability settings spelled out so nobody "speeds up" tests
  # with fsync=off and hides flush costs from the benchmarks.
  local conf="$CONF_DIR/conf.d/dcms.conf" new changed=0
  new=$(cat <<EOF
# written by scripts/services/postgres.sh
listen_addresses = '$PG_HOST'
port = $PG_PORT
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
EOF
)
  if [ "$(cat "$conf" 2>/dev/null)" != "$new" ]; then
    printf '%s\n' "$new" >"$conf"
    chown postgres:postgres "$conf"
    changed=1
  fi

  # /run is a tmpfs on many machines: the socket folder may be gone.
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql

  if cluster_running; then
    if [ "$changed" = 1 ]; then
      log "config changed, restarting cluster $PG_VERSION/$PG_CLUSTER"
      pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" restart >&2
    else
      log "cluster $PG_VERSION/$PG_CLUSTER already running, reusing it"
    fi
  else
    if port_open "$PG_HOST" "$PG_PORT"; then
      die "$PG_HOST:$PG_PORT is taken by something other than cluster $PG_VERSION/$PG_CLUSTER"
    fi
    log "starting cluster $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start >&2
  fi
  wait_for_port "$PG_HOST" "$PG_PORT" 60 || die "PostgreSQL is not listening on $PG_HOST:$PG_PORT"

  # Role: create or reset the password, so reruns converge. CREATEDB lets the
  # tests make throwaway databases.
  psql_admin <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASS';
  ELSE
    ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASS';
  END IF;
END
\$\$;
SQL
  # CREATE DATABASE cannot run inside DO/transactions: check first.
  local db
  for db in "${DATABASES[@]}"; do
    if [ "$(psql_admin -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      log "creating database $db"
      psql_admin -c "CREATE DATABASE $db OWNER $DB_USER"
    fi
  done

  # Check the way the tests connect: TCP + password.
  local fsync
  fsync=$(PGPASSWORD=$DB_PASS psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER" -d dcms_test \
            -c 'SHOW fsync') || die "cannot log in as $DB_USER over TCP"
  [ "$fsync" = on ] || die "fsync is '$fsync', expected on"
  local datadir
  datadir=$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $6 }')
  log "PostgreSQL $PG_VERSION ready (postmaster pid $(head -1 "$datadir/postmaster.pid" 2>/dev/null || echo '?'), fsync=$fsync)"

  echo "DCMS_TEST_POSTGRES_URL=postgres://$DB_USER:$DB_PASS@$PG_HOST:$PG_PORT/dcms_test"
  echo "DCMS_BENCH_POSTGRES_URL=postgres://$DB_USER:$DB_PASS@$PG_HOST:$PG_PORT/dcms_bench"
}

main "$@"
