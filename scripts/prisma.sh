#!/usr/bin/env bash
# Runs the Prisma CLI offline: its native engines cannot be downloaded here, so prisma.config.ts
# selects the JS schema engine + driver adapter, and these variables point the CLI's engine
# look-up at a placeholder it never executes.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
touch .tools/prisma-engine-placeholder
export PRISMA_SCHEMA_ENGINE_BINARY="$PWD/.tools/prisma-engine-placeholder"
export PRISMA_QUERY_ENGINE_LIBRARY="$PWD/.tools/prisma-engine-placeholder"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
exec npx --no-install prisma "$@"
