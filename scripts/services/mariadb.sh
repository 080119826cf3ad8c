#!/usr/bin/env bash
# MariaDB (Debian package, 10.11 on bookworm) for the SQL store tests:
# 127.0.0.1:3306, user dcms/dcms, databases dcms_test and dcms_bench.
# No systemd: mariadbd is started with start-stop-daemon and a PID file.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB_HOST=127.0.0.1
DB_PORT=3306
DB_USER=dcms
DB_PASS=dcms
DATABASES=(dcms_test dcms_bench)

DATA_DIR=/var/lib/mysql          # Debian's default, owned by the mysql user
SOCKET=/run/mysqld/mysqld.sock   # Debian's default, so the stock client finds it
LOG_DIR=/var/log/mysql           # mariadbd runs as mysql: it cannot write under /root
PID_FILE="$DCMS_CACHE/run/mariadb.pid"   # written by start-stop-daemon (root)
MARIADBD=/usr/sbin/mariadbd

mariadb_root() { # SQL as root@localhost over the socket (unix_socket auth)
  mariadb --protocol=socket --socket="$SOCKET" -uroot "$@"
}

server_alive() {
  mariadb-admin --protocol=socket --socket="$SOCKET" -uroot --connect-timeout=2 ping >/dev/null 2>&1
}

main() {
  require_root
  apt_install mariadb-server mariadb-client

  # /run is often a tmpfs: recreate the socket folder every time.
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  install -d -o mysql -g adm -m 2750 "$LOG_DIR"
  mkdir -p "$(dirname "$PID_FILE")"

  # The package's postinst normally initialises the data folder; do it if not.
  if [ ! -d "$DATA_DIR/mysql" ]; then
    log "initialising $DATA_DIR"
    install -d -o mysql -g mysql -m 0755 "$DATA_DIR"
    mariadb-install-db --user=mysql --datadir="$DATA_DIR" \
      --auth-root-authentication-method=socket --skip-test-db >&2
  fi

  local pid
  if pid=$(pid_from_file "$PID_FILE") && server_alive; then
    log "MariaDB already running (pid $pid), reusing it"
  elif server_alive; then
    # Started by someone else (e.g. the package's init script): reuse it.
    log "MariaDB already running (not started by this script), reusing it"
  else
    if port_open "$DB_HOST" "$DB_PORT"; then
      die "$DB_HOST:$DB_PORT is taken by something other than this MariaDB"
    fi
    log "starting MariaDB"
    # Server durability defaults are kept (innodb_flush_log_at_trx_commit=1).
    start-stop-daemon --start --background --make-pidfile --pidfile "$PID_FILE" \
      --chuid mysql --exec "$MARIADBD" -- \
      --datadir="$DATA_DIR" --socket="$SOCKET" \
      --bind-address="$DB_HOST" --port="$DB_PORT" \
      --log-error="$LOG_DIR/error.log" --max-connections=200
    pid=$(cat "$PID_FILE")
    wait_for_port "$DB_HOST" "$DB_PORT" 60 "$pid" ||
      { tail -20 "$LOG_DIR/error.log" >&2; die "MariaDB did not start"; }
    local i
    for i in $(seq 1 60); do server_alive && break; sleep 0.5; done
    server_alive || { tail -20 "$LOG_DIR/error.log" >&2; die "MariaDB does not answer"; }
    log "MariaDB started, pid $pid"
  fi
  port_open "$DB_HOST" "$DB_PORT" || die "MariaDB is running but not listening on $DB_HOST:$DB_PORT"

  # Users for both ways of connecting (TCP 127.0.0.1 and socket 'localhost');
  # the test harness creates dcms_test_* databases at runtime, hence *.*.
  local sql="" host db
  for host in 127.0.0.1 localhost; do
    sql+="CREATE USER IF NOT EXISTS '$DB_USER'@'$host' IDENTIFIED BY '$DB_PASS';"
    sql+="ALTER USER '$DB_USER'@'$host' IDENTIFIED BY '$DB_PASS';"
    sql+="GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'$host';"
  done
  for db in "${DATABASES[@]}"; do
    sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  done
  mariadb_root -e "$sql"

  # Check the way the tests connect: TCP + password.
  local version
  version=$(mariadb --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" -p"$DB_PASS" \
              -N -B -e 'SELECT VERSION()' dcms_test) || die "cannot log in as $DB_USER over TCP"
  log "MariaDB $version ready"

  echo "DCMS_TEST_MYSQL_URL=mysql://$DB_USER:$DB_PASS@$DB_HOST:$DB_PORT/dcms_test"
  echo "DCMS_BENCH_MYSQL_URL=mysql://$DB_USER:$DB_PASS@$DB_HOST:$DB_PORT/dcms_bench"
}

main "$@"
