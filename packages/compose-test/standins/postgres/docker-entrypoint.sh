#!/usr/bin/env bash
# Entry point of the postgres stand-in. It follows the documented contract of the official
# image's docker-entrypoint.sh (written anew here, not copied):
#   - a first argument that is an option (-c ..., -p ...) means `postgres <options>`;
#   - for `postgres` (unless it only asks for --help/--version/...):
#       * as root: create and chown PGDATA, /var/run/postgresql (and POSTGRES_INITDB_WALDIR),
#         then run this script again as the postgres user through gosu;
#       * on an empty data directory: initdb as POSTGRES_USER (default postgres) with
#         POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust) and
#         POSTGRES_INITDB_ARGS, add `host all all all <method>` to pg_hba.conf (method:
#         POSTGRES_HOST_AUTH_METHOD, else the server's password_encryption, scram-sha-256),
#         start a temporary server that listens on the Unix socket only (with the same -c
#         options), create POSTGRES_DB (default: POSTGRES_USER), run
#         /docker-entrypoint-initdb.d/* in name order (*.sh executed when executable, else
#         sourced; *.sql, *.sql.gz, *.sql.xz, *.sql.zst through psql), stop the server;
#   - any other command is run as given.
#   - VAR_FILE works for POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, POSTGRES_INITDB_ARGS.
set -Eeo pipefail

INITDB_DIR=/docker-entrypoint-initdb.d
SOCKET_DIR=/var/run/postgresql

log() { printf '%s: %s\n' "${0##*/}" "$*"; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# NAME or NAME_FILE (the file's content), never both; exported for the init scripts.
env_or_file() {
  local name=$1 default=${2:-} file_name="${1}_FILE" value
  if [ -n "${!name:-}" ] && [ -n "${!file_name:-}" ]; then
    die "$name and $file_name are both set; set one of them"
  fi
  value=$default
  if [ -n "${!name:-}" ]; then
    value=${!name}
  elif [ -n "${!file_name:-}" ]; then
    value=$(<"${!file_name}")
  fi
  export "$name=$value"
  unset "$file_name"
}

wants_info_only() {
  local a
  for a in "$@"; do
    case $a in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac
  done
  return 1
}

read_settings() {
  env_or_file POSTGRES_PASSWORD
  env_or_file POSTGRES_USER postgres
  env_or_file POSTGRES_DB "$POSTGRES_USER"
  env_or_file POSTGRES_INITDB_ARGS
  export POSTGRES_HOST_AUTH_METHOD=${POSTGRES_HOST_AUTH_METHOD:-}
  if [ -s "$PGDATA/PG_VERSION" ]; then HAVE_CLUSTER=yes; else HAVE_CLUSTER=; fi
}

prepare_dirs() {
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA" 2>/dev/null || true
  mkdir -p "$SOCKET_DIR" 2>/dev/null || true
  chmod 3775 "$SOCKET_DIR" 2>/dev/null || true
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    chmod 700 "$POSTGRES_INITDB_WALDIR" 2>/dev/null || true
  fi
  if [ "$(id -u)" = 0 ]; then
    local d
    for d in "$PGDATA" "$SOCKET_DIR" ${POSTGRES_INITDB_WALDIR:+"$POSTGRES_INITDB_WALDIR"}; do
      find "$d" ! -user postgres -exec chown postgres {} +
    done
  fi
}

check_settings() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'MSG'
Error: the database is not initialised and no superuser password is set.
       Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value, or set
       POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password
       (not recommended).
MSG
    exit 1
  fi
  if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
    cat >&2 <<'MSG'
WARNING: POSTGRES_HOST_AUTH_METHOD=trust: any client that reaches the port logs in as any
         role without a password, whatever POSTGRES_PASSWORD says.
MSG
  fi
}

run_initdb() {
  local -a args=(--username="$POSTGRES_USER")
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    args+=(--waldir="$POSTGRES_INITDB_WALDIR")
  fi
  # POSTGRES_INITDB_ARGS is split like a shell command line (quotes are honoured).
  local -a extra=()
  if [ -n "$POSTGRES_INITDB_ARGS" ]; then
    eval "extra=( $POSTGRES_INITDB_ARGS )"
  fi
  if [ -n "$POSTGRES_PASSWORD" ]; then
    initdb "${args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${extra[@]}"
  else
    initdb "${args[@]}" "${extra[@]}"
  fi
}

# $@: the server's command line (postgres -c ...), so that -c password_encryption=... counts.
allow_host_logins() {
  [ "${1:-}" = postgres ] && shift
  local method=$POSTGRES_HOST_AUTH_METHOD
  if [ -z "$method" ]; then
    method=$(postgres -C password_encryption "$@")
  fi
  {
    echo
    echo '# Added by docker-entrypoint.sh: logins over TCP from any address.'
    echo "host all all all $method"
  } >>"$PGDATA/pg_hba.conf"
}

# A server for the init scripts: same options, no TCP listener, so a TCP health check fails
# until the real server runs.
start_socket_only_server() {
  [ "${1:-}" = postgres ] && shift
  local opts
  opts=$(printf '%q ' "$@" -c "listen_addresses=" -p "${PGPORT:-5432}")
  NOTIFY_SOCKET='' PGUSER=${PGUSER:-$POSTGRES_USER} pg_ctl -D "$PGDATA" -o "$opts" -w start
}

stop_socket_only_server() {
  PGUSER=${PGUSER:-$POSTGRES_USER} pg_ctl -D "$PGDATA" -m fast -w stop
}

# psql against the socket-only server, as POSTGRES_USER, into POSTGRES_DB.
sql() {
  local -a cmd=(psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER")
  if [ -n "$POSTGRES_DB" ]; then
    cmd+=(--dbname "$POSTGRES_DB")
  fi
  PGHOST='' PGHOSTADDR='' "${cmd[@]}" "$@"
}

create_app_database() {
  local found
  found=$(POSTGRES_DB='' sql --dbname postgres --tuples-only --no-align --set db="$POSTGRES_DB" \
    <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
  if [ -z "$found" ]; then
    POSTGRES_DB='' sql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
}

run_init_scripts() {
  local f
  for f in "$INITDB_DIR"/*; do
    [ -e "$f" ] || continue
    case $f in
      *.sh)
        if [ -x "$f" ]; then
          log "running $f"
          "$f"
        else
          log "sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql) log "running $f"; sql -f "$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | sql ;;
      *.sql.xz) log "running $f"; xzcat "$f" | sql ;;
      *.sql.zst) log "running $f"; zstd -dc "$f" | sql ;;
      *) log "ignoring $f" ;;
    esac
  done
}

main() {
  if [ "${1:0:1}" = - ]; then
    set -- postgres "$@"
  fi

  if [ "$1" = postgres ] && ! wants_info_only "$@"; then
    read_settings
    prepare_dirs
    if [ "$(id -u)" = 0 ]; then
      exec gosu postgres "${BASH_SOURCE[0]}" "$@"
    fi

    if [ -z "$HAVE_CLUSTER" ]; then
      check_settings
      # Fail early when the init folder is unreadable.
      ls "$INITDB_DIR"/ >/dev/null
      run_initdb
      allow_host_logins "$@"
      export PGPASSWORD=${PGPASSWORD:-$POSTGRES_PASSWORD}
      start_socket_only_server "$@"
      create_app_database
      run_init_scripts
      stop_socket_only_server
      unset PGPASSWORD
      echo
      echo 'PostgreSQL init process complete; ready for start up.'
      echo
    else
      echo
      echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
      echo
    fi
  fi

  exec "$@"
}

main "$@"
