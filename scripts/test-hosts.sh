#!/usr/bin/env bash
# npm run test:hosts: the packed library in two fresh host apps, outside the repo.
#
#  1. `npm pack` (prepack builds dist/) into a temporary folder.
#  2. Two plain `npm init -y` hosts beside it, no Nest CLI, no compiler: nest11-cjs (Nest 11, CommonJS,
#     scripts/test-hosts/app.cjs) and nest12-esm (Nest 12, "type": "module", app.mjs), each with
#     @nestjs/{common,core,websockets,platform-ws,platform-express}, reflect-metadata, rxjs, ws and the tarball.
#  3. Checks (scripts/test-hosts/check.mjs, run inside the host so everything resolves from its
#     node_modules): no optional backend installed, one copy of each @nestjs package (the library
#     brings none of its own), the root entry alone (load time, files loaded, no optional backend
#     among them), then a call through the host app: join, start, offer relayed with idMapping {},
#     SIGTERM: stop to the peer left, close 1001, the app exits.
#  4. The optional parts' backends added to the same hosts (@nestjs/typeorm of the host's major,
#     typeorm 0.3, sqlite3, ioredis): the host app with `/history` on SQLite (the session rows are
#     read back) and with `/redis` on a redis-server this script starts on a free 127.0.0.1 port.
#     sqlite3 is not compiled again per host: it is installed without scripts and given the binding
#     the repo's own `npm ci` built (same version), or one built once here when the repo has none.
#  5. A summary per host; the last line is "test:hosts: N passed, N failed"; exit 1 on any failure.
#
# Everything it starts listens on 127.0.0.1 only; the temporary folder, the host apps and
# redis-server are removed or stopped at the end, also on failure (KEEP_HOSTS=1 keeps the folder).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
# `npm run` exports the repo as npm's local prefix; the hosts' npm must not see it.
unset npm_config_local_prefix

if ! command -v redis-server > /dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-hosts: redis-server missing; install with: sudo apt-get install redis-server" >&2
    exit 1
  fi
  echo "test-hosts: installing Debian's redis-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server > /dev/null
fi

work="$(mktemp -d -t signaling-test-hosts.XXXXXX)"
export HOST_PIDS_FILE="$work/pids"
: > "$HOST_PIDS_FILE"
redis_pid=
cleanup() {
  local status=$?
  # host apps a check could not stop (check.mjs lists each one it starts)
  while read -r pid; do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "app\.[cm]js"; then
      kill -KILL "$pid" 2> /dev/null || true
    fi
  done < "$HOST_PIDS_FILE"
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2> /dev/null || true
    wait "$redis_pid" 2> /dev/null || true
  fi
  if [ "${KEEP_HOSTS:-}" = 1 ]; then echo "test-hosts: kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
run_started="$(now)"

# ------------------------------------------------------------------------------------------ the tarball
echo "test-hosts: npm pack (builds first) into $work"
if ! npm pack --pack-destination "$work" > "$work/pack.log" 2>&1; then
  cat "$work/pack.log" >&2
  exit 1
fi
tarball="$(ls "$work"/nest-ams-p2p-signaling-*.tgz)"
tarball_kb=$(( $(stat -c %s "$tarball") / 1024 ))

# -------------------------------------------------------------------- sqlite3: one native build for all
sqlite3_binding="$repo/node_modules/sqlite3/build/Release/node_sqlite3.node"
if [ -f "$sqlite3_binding" ]; then
  sqlite3_version="$(node -p "require('./node_modules/sqlite3/package.json').version")"
else
  sqlite3_version="$(node -p "require('./package.json').devDependencies.sqlite3")"
  echo "test-hosts: building sqlite3@$sqlite3_version once (no binding in the repo's node_modules)"
  mkdir -p "$work/sqlite3-build"
  (cd "$work/sqlite3-build" && npm init -y > /dev/null && npm i --no-audit --no-fund "sqlite3@$sqlite3_version" > ../sqlite3-build.log 2>&1) \
    || { cat "$work/sqlite3-build.log" >&2; exit 1; }
  sqlite3_binding="$work/sqlite3-build/node_modules/sqlite3/build/Release/node_sqlite3.node"
  sqlite3_version="$(node -p "require('$work/sqlite3-build/node_modules/sqlite3/package.json').version")"
fi

# ------------------------------------------------------------------------------------------ redis-server
redis_port="$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do
  if (exec 3<> "/dev/tcp/127.0.0.1/$redis_port") 2> /dev/null; then break; fi
  sleep 0.05
done
export HOST_REDIS_URL="redis://127.0.0.1:$redis_port"

# ------------------------------------------------------------------------------------------------ hosts
results="$work/results"
: > "$results"

# step <host> <command…>: runs a check in the host's folder; its lines go to the results, prefixed with the host.
step() {
  local host="$1" out status=0
  shift
  out="$(cd "$work/$host" && "$@" 2>> "$work/$host.log")" || status=$?
  [ -n "$out" ] && printf '%s\n' "$out" | sed "s/^/$host /" | tee -a "$results" | grep -v ' FIGURE ' || true
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL' <<< "$out"; then
    echo "$host FAIL $*: exit $status (see below)" | tee -a "$results"
    tail -n 20 "$work/$host.log" >&2
  fi
}
figure() { echo "$1 FIGURE $2 $3" >> "$results"; }
# npm_install <host> <label> <package…>: installs, records its time and the size of node_modules after it.
npm_install() {
  local host="$1" label="$2" started
  shift 2
  started="$(now)"
  if (cd "$work/$host" && npm i --no-audit --no-fund "$@" >> "$work/$host.log" 2>&1); then
    echo "$host PASS npm install ($label)" | tee -a "$results"
    figure "$host" "install_s_$label" "$(seconds_since "$started")"
    figure "$host" "size_mb_$label" "$(du -sm "$work/$host/node_modules" | cut -f1)"
    return 0
  fi
  echo "$host FAIL npm install ($label): see below" | tee -a "$results"
  tail -n 30 "$work/$host.log" >&2
  return 1
}

# test_host <name> <Nest major> <cjs|esm>
test_host() {
  local name="$1" major="$2" kind="$3" app load
  if [ "$kind" = esm ]; then app=app.mjs load=load.mjs; else app=app.cjs load=load.cjs; fi
  echo "test-hosts: $name (Nest $major, $kind)"
  mkdir "$work/$name"
  (cd "$work/$name" && npm init -y > /dev/null && if [ "$kind" = esm ]; then npm pkg set type=module; fi)
  cp scripts/test-hosts/check.mjs "scripts/test-hosts/$app" "scripts/test-hosts/$load" "$work/$name/"
  export HOST_NODE_ID="$name" HOST_REDIS_PREFIX="$name:" HOST_SQLITE="$work/$name/history.sqlite"

  npm_install "$name" core "@nestjs/common@$major" "@nestjs/core@$major" "@nestjs/websockets@$major" \
    "@nestjs/platform-ws@$major" "@nestjs/platform-express@$major" reflect-metadata rxjs ws "$tarball" || return 0
  step "$name" node check.mjs tree "$major" --no-optional
  step "$name" node check.mjs load "$load"
  step "$name" node check.mjs call "$app"

  # the optional parts' backends; sqlite3 without its install script, then the binding built once
  npm_install "$name" parts "@nestjs/typeorm@$major" typeorm@0.3 "sqlite3@$sqlite3_version" ioredis@5 --ignore-scripts || return 0
  mkdir -p "$work/$name/node_modules/sqlite3/build/Release"
  cp "$sqlite3_binding" "$work/$name/node_modules/sqlite3/build/Release/"
  step "$name" node check.mjs tree "$major"
  step "$name" node check.mjs call "$app" history
  step "$name" node check.mjs call "$app" redis
}

test_host nest11-cjs 11 cjs
test_host nest12-esm 12 esm

# ---------------------------------------------------------------------------------------------- summary
fig() { awk -v h="$1" -v k="$2" '$1 == h && $2 == "FIGURE" && $3 == k { v = $4 } END { print (v == "" ? "-" : v) }' "$results"; }
version() { node -p "require('$work/$1/node_modules/$2/package.json').version" 2> /dev/null || echo '?'; }
echo
echo "test-hosts summary (tarball $(basename "$tarball"), $tarball_kb KiB; root entry: median of 5 fresh processes)"
for name in nest11-cjs nest12-esm; do
  passed=$(grep -c "^$name PASS" "$results" || true)
  failed=$(grep -c "^$name FAIL" "$results" || true)
  printf '  %-11s @nestjs/core %s, @nestjs/typeorm %s, typeorm %s: %s passed, %s failed\n' "$name" \
    "$(version "$name" @nestjs/core)" "$(version "$name" @nestjs/typeorm)" "$(version "$name" typeorm)" "$passed" "$failed"
  printf '              install %s s, node_modules %s MB (%s packages); with history+redis backends: +%s s, %s MB\n' \
    "$(fig "$name" install_s_core)" "$(fig "$name" size_mb_core)" "$(awk -v h="$name" '$1 == h && $3 == "packages" { print $4; exit }' "$results")" \
    "$(fig "$name" install_s_parts)" "$(fig "$name" size_mb_parts)"
  printf '              root entry: %s ms, %s files loaded (%s of the library); boot: core %s ms, history %s ms, redis %s ms\n' \
    "$(fig "$name" load_ms)" "$(fig "$name" load_files)" "$(fig "$name" load_files_library)" \
    "$(fig "$name" boot_ms_core)" "$(fig "$name" boot_ms_history)" "$(fig "$name" boot_ms_redis)"
done
passed=$(grep -c '^[^ ]* PASS' "$results" || true)
failed=$(grep -c '^[^ ]* FAIL' "$results" || true)
echo "  total $(seconds_since "$run_started") s"
if [ "$failed" -ne 0 ]; then
  echo 'failed:'
  grep '^[^ ]* FAIL' "$results" | sed 's/^/  /'
fi
echo "test:hosts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
