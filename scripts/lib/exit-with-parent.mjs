/**
 * Preloaded (`node --import`) into the main job's children, the worker and the simulator: their stdin
 * is a pipe from the main job, so its end means the main job is gone (even by kill -9). The child then
 * gets SIGTERM, its own clean stop (the worker drains, the simulator saves its state and closes),
 * instead of living on as an orphan that holds port 8710 for the next `npm run demo`.
 *
 * Plain JavaScript: node also preloads it into the worker's workflow threads, which run without the
 * TypeScript loader; there it does nothing (a thread's stdin says nothing about the parent).
 */
import { isMainThread } from 'node:worker_threads';

const stdin = process.stdin;
// only a pipe says anything about the parent (a terminal or /dev/null does not)
if (isMainThread && typeof stdin.unref === 'function' && !stdin.isTTY) {
  const parentGone = () => process.kill(process.pid, 'SIGTERM');
  stdin.on('end', parentGone);
  stdin.on('error', parentGone);
  stdin.resume();
  // the pipe alone does not keep the child alive: it exits when its own work is done
  stdin.unref();
}
