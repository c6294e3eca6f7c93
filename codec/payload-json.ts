/**
 * A Payload in proto3 JSON, as the codec server protocol carries it: every bytes field (each metadata
 * value and the data) base64. Written out here because the SDK's `payloadToJSON`/`JSONToPayload`
 * (@temporalio/common/lib/proto-utils) fail in this install ("type must be a Type": @temporalio/common
 * carries its own protobufjs copy, different from @temporalio/proto's).
 */
import type { Payload } from '@temporalio/common';

export interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export function payloadToJson(p: Payload): JsonPayload {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v ?? new Uint8Array())]));
  return { metadata, data: b64(p.data ?? new Uint8Array()) };
}

export function jsonToPayload(j: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(j.metadata ?? {}).map(([k, v]) => [k, bytes(v)]));
  return { metadata, data: bytes(j.data ?? '') };
}
