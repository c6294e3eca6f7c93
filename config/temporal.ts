import { loadClientConnectConfig } from '@temporalio/envconfig';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import { dataConverterFromEnv } from '../codec/keys';

/**
 * The one way the worker, the CLI, the main job and the scripts reach Temporal. Settings come from
 * Temporal's environment configuration: TEMPORAL_ADDRESS (default localhost:7233),
 * TEMPORAL_NAMESPACE (default "default"), TEMPORAL_API_KEY and TEMPORAL_TLS* for Temporal Cloud,
 * TEMPORAL_PROFILE + TEMPORAL_CONFIG_FILE.
 */
export interface TemporalTarget {
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'] & { address: string };
  namespace: string;
}

/** Where to connect, read from the environment (throws on a bad profile or config file). */
export function temporalTarget(): TemporalTarget {
  const cfg = loadClientConnectConfig();
  return {
    connectionOptions: { ...cfg.connectionOptions, address: cfg.connectionOptions.address ?? 'localhost:7233' },
    namespace: cfg.namespace ?? 'default',
  };
}

/** A client on the target's namespace; close it with `client.connection.close()`. `dataConverter` defaults to the payload codec configured in the environment (codec/keys.ts). */
export async function connectClient(opts: { target?: TemporalTarget; connectTimeoutMs?: number; dataConverter?: DataConverter } = {}): Promise<Client> {
  const { connectionOptions, namespace } = opts.target ?? temporalTarget();
  const connection = await Connection.connect({
    ...(connectionOptions as Parameters<typeof Connection.connect>[0]),
    ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeout: opts.connectTimeoutMs }),
  });
  return new Client({ connection, namespace, dataConverter: opts.dataConverter ?? dataConverterFromEnv() });
}

/** A worker's native connection to the target (the namespace goes into the worker options). */
export async function connectWorker(target: TemporalTarget = temporalTarget()): Promise<NativeConnection> {
  // loaded on demand: CLI commands that only need a client do not pay for the native worker runtime
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(target.connectionOptions);
}
