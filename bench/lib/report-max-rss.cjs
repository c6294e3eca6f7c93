// Preloaded into a measured child (node --require): at exit, appends the process's peak resident set
// (getrusage maxrss, KiB → bytes) to the file MAX_RSS_REPORT names. bench/unlock-import.ts reads it.
'use strict';
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.MAX_RSS_REPORT) appendFileSync(process.env.MAX_RSS_REPORT, `${process.resourceUsage().maxRSS * 1024}\n`);
});
