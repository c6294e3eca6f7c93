#!/usr/bin/env node
// Launcher for the operator CLI: runs cli/main.ts through tsx (no build step). `npx unlock-trader --help`
'use strict';
require('tsx/cjs');
require('../cli/main.ts').main();
