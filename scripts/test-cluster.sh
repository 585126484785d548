#!/usr/bin/env bash
# The cluster suite (test/cluster): app nodes as child processes (`node dist/src/main.js`) sharing a
# redis-server and a PostgreSQL, all on 127.0.0.1. Installs Debian's redis-server (and postgresql)
# when missing, builds dist/ when it is older than the sources, then runs jest inside a new network
# namespace that holds only loopback (one test makes a real WebRTC call). Whatever happens, every
# process the suite started is stopped at the end. Extra arguments go to jest (e.g. -t 'kill -9').
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v redis-server > /dev/null || packages+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || packages+=(postgresql)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-cluster: ${packages[*]} missing; install with: sudo apt-get install ${packages[*]}" >&2
    exit 1
  fi
  echo "test-cluster: installing Debian's ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" > /dev/null
fi

node scripts/build-if-needed.js

# The suite lists what it starts here: "pid <pid>" (redis-server, app nodes), "pgdata <dir>" (PostgreSQL).
CLUSTER_PIDS_FILE="$(mktemp -t signaling-cluster-pids.XXXXXX)"
export CLUSTER_PIDS_FILE
cleanup() {
  while read -r kind value; do
    case "$kind" in
      pid)
        # only if it is still the process the suite started (a node or redis-server)
        if [ -r "/proc/$value/cmdline" ] && tr '\0' ' ' < "/proc/$value/cmdline" | grep -qE 'dist/src/main\.js|redis-server'; then
          echo "test-cluster: stopping leftover process $value" >&2
          kill -KILL "$value" 2> /dev/null || true
        fi
        ;;
      pgdata)
        if [ -f "$value/postmaster.pid" ]; then
          echo "test-cluster: stopping leftover PostgreSQL in $value" >&2
          pg_ctl="$(compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n 1)"
          if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$pg_ctl" -D "$value" -m immediate stop > /dev/null 2>&1 || true
          else "$pg_ctl" -D "$value" -m immediate stop > /dev/null 2>&1 || true; fi
        fi
        rm -rf "$value"
        ;;
    esac
  done < "$CLUSTER_PIDS_FILE"
  rm -f "$CLUSTER_PIDS_FILE"
}
trap cleanup EXIT

# Root (here and in CI) makes the namespace directly; anyone else through a user namespace.
if [ "$(id -u)" -eq 0 ]; then
  namespace=(unshare --net)
else
  namespace=(unshare --user --map-root-user --net)
fi
"${namespace[@]}" sh -c 'ip link set lo up && exec node_modules/.bin/jest -c jest.cluster.config.js "$@"' test-cluster "$@"
