import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep worker logs to warnings and errors in tests; failures still print.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
