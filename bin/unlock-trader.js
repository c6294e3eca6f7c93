#!/usr/bin/env node
// Launcher for the operator CLI: runs cli/main.ts under tsx (no build step): `npx unlock-trader --help`.
// A child node process with `--import tsx` because the CLI loads some modules lazily with import(),
// which tsx's in-process CommonJS hook does not cover.
'use strict';
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
