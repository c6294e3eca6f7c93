import { loadClientConnectConfig } from '@temporalio/envconfig';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/keys';

/**
 * Temporal connection settings for client, worker and CLI alike, from Temporal's environment
 * configuration: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default "default"),
 * TEMPORAL_API_KEY and TEMPORAL_TLS* for Temporal Cloud, TEMPORAL_PROFILE + TEMPORAL_CONFIG_FILE.
 */
export function temporalConnectConfig() {
  const cfg = loadClientConnectConfig();
  return {
    connectionOptions: { ...cfg.connectionOptions, address: cfg.connectionOptions.address ?? 'localhost:7233' },
    namespace: cfg.namespace ?? 'default',
  };
}

export async function connectClient(): Promise<Client> {
  const { connectionOptions, namespace } = temporalConnectConfig();
  const connection = await Connection.connect(connectionOptions as Parameters<typeof Connection.connect>[0]);
  return new Client({ connection, namespace, dataConverter: dataConverterFromEnv() });
}
