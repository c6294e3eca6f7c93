/**
 * The payloads of a workflow history as the Temporal Service stores them (issue 16): found by walking
 * the history proto, so a new event type or field is covered without a list to keep up to date. Used
 * to prove histories hold ciphertext only (test/codec, test/proof) and to read them decoded.
 */
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { isEncrypted, payloadKeyId } from '../../codec/aes-gcm-codec';

export interface FoundPayload {
  /** where in the history, e.g. .events.0.workflowExecutionStartedEventAttributes.input.payloads.0 */
  path: string;
  payload: Payload;
}

/**
 * Every payload in a history (or any part of one), with its path. Left out, plaintext by design: search
 * attributes (the Web UI's filters) and patch markers' data (the patch id, written by the SDK's core,
 * not the data converter).
 */
export function payloadsIn(node: unknown, path = '', out: FoundPayload[] = []): FoundPayload[] {
  if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return out;
  if (/searchAttributes$/i.test(path) || /markerRecordedEventAttributes\.details\.patch-data$/.test(path)) return out;
  const o = node as Record<string, unknown>;
  if ('metadata' in o && o.metadata && 'data' in o && !Array.isArray(o.metadata)) {
    out.push({ path, payload: o as Payload });
    return out;
  }
  for (const [k, v] of Object.entries(o)) payloadsIn(v, `${path}.${k}`, out);
  return out;
}

/** The history's wire bytes as a searchable string (latin1: one char per byte). */
export function rawHistoryText(h: temporal.api.history.v1.IHistory): string {
  return Buffer.from(temporal.api.history.v1.History.encode(h).finish()).toString('latin1');
}

/** Decodes every payload of the history in place (the history then reads as the app wrote it). */
export async function decodeHistoryPayloads(h: temporal.api.history.v1.IHistory, codec: PayloadCodec): Promise<void> {
  const found = payloadsIn(h);
  const decoded = await codec.decode(found.map((f) => f.payload));
  found.forEach((f, i) => {
    f.payload.metadata = decoded[i]!.metadata;
    f.payload.data = decoded[i]!.data;
  });
}

export interface SealedHistoriesAudit {
  histories: number;
  payloads: number;
  /** the key ids the sealed payloads name */
  keyIds: string[];
  /** payloads stored in plaintext: "<workflow id>/<run id><path>" */
  unsealed: string[];
  /** raw histories holding one of the given plaintexts: "<workflow id>: <text>" */
  leaks: string[];
}

/** Every history of the client's namespace (every run), as the server stores it: what is sealed, what is not. */
export async function auditSealedHistories(client: Client, plaintexts: string[]): Promise<SealedHistoriesAudit> {
  const out: SealedHistoriesAudit = { histories: 0, payloads: 0, keyIds: [], unsealed: [], leaks: [] };
  const keyIds = new Set<string>();
  for await (const w of client.workflow.list()) {
    // fetchHistory gives the history as stored: no codec on the way
    const h = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    const found = payloadsIn(h);
    out.histories++;
    out.payloads += found.length;
    for (const f of found) {
      if (isEncrypted(f.payload)) keyIds.add(payloadKeyId(f.payload)!);
      else out.unsealed.push(`${w.workflowId}/${w.runId}${f.path}`);
    }
    const raw = rawHistoryText(h);
    for (const s of plaintexts) if (raw.includes(s)) out.leaks.push(`${w.workflowId}: ${s}`);
  }
  out.keyIds = [...keyIds].sort();
  return out;
}
