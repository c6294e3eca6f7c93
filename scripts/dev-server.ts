/**
 * npm run server — the Temporal dev server for this project:
 *   gRPC 127.0.0.1:7233, Web UI http://127.0.0.1:8233, HTTP API http://127.0.0.1:7243,
 *   history in data/temporal.db (kept across restarts), search attributes registered.
 * Refuses to start a second server when 7233 is already listening. Ctrl-C stops it.
 *   --detach   start in the background (pid in data/temporal-7233.pid);   --stop   stop that one
 */
import { startDevServer, stopDetachedDevServer, DEFAULT_DEV_SERVER } from './lib/dev-server';

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log('usage: npm run server [-- --detach | --stop]');
    return;
  }
  if (args.includes('--stop')) {
    console.log((await stopDetachedDevServer()) ? 'stopped' : 'no detached server recorded in data/');
    return;
  }
  const detached = args.includes('--detach');
  const s = await startDevServer({ detached });
  if (!s.started) {
    console.log(`a Temporal server already listens on ${s.address}: not starting a second one (Web UI ${s.uiUrl})`);
    return;
  }
  console.log(`Temporal dev server on ${s.address}; Web UI ${s.uiUrl}; HTTP API http://127.0.0.1:${DEFAULT_DEV_SERVER.httpPort}; history in ${DEFAULT_DEV_SERVER.dbFile}`);
  if (detached) return;
  const stop = async () => {
    await s.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  s.child?.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
