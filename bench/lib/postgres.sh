# A throwaway PostgreSQL cluster for the benchmarks, sourced by their scripts (bash, set -eu).
#   postgres_start          initdb into a temp folder and start the server on loopback, on a free
#                           port, trust auth; fsync and synchronous_commit stay on (the durability a
#                           200 from the relay promises). Stopped and deleted when the script exits:
#                           call it after setting the script's own EXIT trap, which still runs first.
#   postgres_database NAME  creates a database and prints its connection string for the relay.
#   postgres_sql NAME SQL   runs SQL in that database and prints the result unaligned (psql -At).
#   postgres_check          stops the script early, with the install command, if there is no server.
#   free_port               a free loopback port (for the server, and the relays that use it).
# The newest installed server (Debian: /usr/lib/postgresql/<version>/bin) is used; a system
# cluster on 5432, if any, is never touched.

postgres_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
postgres_folder=
postgres_port=

# PostgreSQL refuses to run as root: then its server programs run as the postgres user.
postgres_as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

postgres_check() {
  [ -x "${postgres_bin:-}/initdb" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
}

postgres_start() {
  postgres_check
  postgres_folder=$(mktemp -d /tmp/userlist-bench-pg-XXXXXX)
  local previous; previous=$(trap -p EXIT)
  eval "set -- $previous"
  # shellcheck disable=SC2064 # the script's own cleanup, as it stands now, then the cluster's
  trap "${3:-}
postgres_stop" EXIT
  [ "$(id -u)" = 0 ] && chown postgres: "$postgres_folder"
  postgres_as_owner "$postgres_bin/initdb" -D "$postgres_folder/data" -A trust -U postgres -E UTF8 --no-locale --no-instructions >/dev/null
  local attempt
  for attempt in 1 2 3; do
    rm -f "$postgres_folder/server.log"
    postgres_port=$(free_port)
    # Said here so no one turns them off for speed: the relay's 200 means the call is on disk.
    postgres_as_owner "$postgres_bin/pg_ctl" start -D "$postgres_folder/data" -l "$postgres_folder/server.log" -w -t 60 \
      -o "-p $postgres_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$postgres_folder -c fsync=on -c synchronous_commit=on" \
      >/dev/null && return
    # Something else may take the free port before the server binds it: take another.
    grep -q "Address already in use" "$postgres_folder/server.log" 2>/dev/null || break
  done
  echo "PostgreSQL did not start; its log:" >&2; cat "$postgres_folder/server.log" >&2; exit 1
}

postgres_stop() {
  [ -n "$postgres_folder" ] || return 0
  postgres_as_owner "$postgres_bin/pg_ctl" stop -D "$postgres_folder/data" -m immediate -w >/dev/null 2>&1 || true
  rm -rf "$postgres_folder"
  postgres_folder=
}

postgres_database() {
  "$postgres_bin/createdb" -h 127.0.0.1 -p "$postgres_port" -U postgres "$1"
  echo "Host=127.0.0.1;Port=$postgres_port;Username=postgres;Database=$1"
}

postgres_sql() { "$postgres_bin/psql" -h 127.0.0.1 -p "$postgres_port" -U postgres -d "$1" -Atqc "$2"; }
