/**
 * The order id scheme. Deterministic client order ids: `<workflowId>:<purpose>[:<seq>]`, or a hashed
 * form when that is longer than the exchange allows (Binance: 1–36 chars of [.A-Za-z0-9:/_-]).
 *
 * Pure and dependency-free (no node:crypto), in the domain core so workflow code may import it: the id
 * depends only on the owning workflow id, the order's purpose and an optional sequence number — never
 * on time, randomness or the attempt number, so a retried activity or a restarted worker computes the
 * same id. The brokers check ids with `isValidClientOrderId`; the paper venue derives its order ids
 * with `fnv1a64`.
 */

export const CLIENT_ORDER_ID_MAX_LENGTH = 36;
const VALID = /^[.A-Za-z0-9:/_-]{1,36}$/;

export function isValidClientOrderId(id: string): boolean {
  return VALID.test(id);
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64-bit over the UTF-8 bytes of `s`, as 13 base-36 chars (zero-padded). */
export function fnv1a64(s: string): string {
  return fnv1a64Big(s).toString(36).padStart(13, '0');
}

function fnv1a64Big(s: string): bigint {
  let h = FNV64_OFFSET;
  for (const byte of utf8(s)) {
    h ^= BigInt(byte);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h;
}

function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else {
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
  return out;
}

const PURPOSE_TAG: Record<string, string> = { entry: 'en', exit: 'ex', 'emergency-exit': 'em' };

/**
 * Client order id for the order `purpose` ('entry' | 'exit' | 'emergency-exit' | any short tag) of
 * workflow `workflowId`; `seq` distinguishes several orders of the same purpose (e.g. a re-placed exit).
 *
 * Natural form `<workflowId>:<purpose>[:<seq>]` when it fits and uses only allowed characters.
 * Otherwise `<prefix>.<hash13>:<tag>[<seq>]` where hash13 is FNV-1a-64 of the natural form, prefix the
 * sanitized start of the workflow id (readable in the exchange UI), total ≤ 36 chars.
 */
export function clientOrderIdFor(workflowId: string, purpose: string, seq?: number): string {
  if (!workflowId) throw new Error('clientOrderIdFor: empty workflowId');
  if (!purpose) throw new Error('clientOrderIdFor: empty purpose');
  if (seq !== undefined && (!Number.isInteger(seq) || seq < 0)) throw new Error('clientOrderIdFor: seq must be a non-negative integer');
  const natural = `${workflowId}:${purpose}${seq === undefined ? '' : `:${seq}`}`;
  if (isValidClientOrderId(natural)) return natural;

  const hash = fnv1a64(natural);
  let tag = PURPOSE_TAG[purpose] ?? sanitize(purpose).slice(0, 4);
  if (!tag) tag = 'o';
  if (seq !== undefined) tag += String(seq);
  if (tag.length > 8) tag = tag.slice(0, 8);
  const suffix = `.${hash}:${tag}`;
  const room = CLIENT_ORDER_ID_MAX_LENGTH - suffix.length;
  const prefix = sanitize(workflowId).slice(0, Math.max(0, room));
  const id = (prefix || 'w') + suffix;
  return id.slice(0, CLIENT_ORDER_ID_MAX_LENGTH);
}

function sanitize(s: string): string {
  return s.replace(/[^.A-Za-z0-9:/_-]/g, '_');
}

// ------------------------------------------------------------------ per-venue client order id rules

/**
 * Kraken's `cl_ord_id`: a UUID (long, 8-4-4-4-12 hex, or short, 32 hex) or free text of at most 18
 * printable ASCII characters; unique among the client's open orders.
 */
const KRAKEN_FREE_TEXT = /^[\x21-\x7e]{1,18}$/;
const UUID_LONG = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_SHORT = /^[0-9a-f]{32}$/i;

export function isValidKrakenClientOrderId(id: string): boolean {
  return UUID_LONG.test(id) || UUID_SHORT.test(id) || KRAKEN_FREE_TEXT.test(id);
}

/** a UUID-shaped 32-hex id from two independent FNV-1a-64 hashes of `s` (deterministic, not random) */
function uuidOf(s: string): string {
  const hex = fnv1a64Big(s).toString(16).padStart(16, '0') + fnv1a64Big(`uuid:${s}`).toString(16).padStart(16, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id a venue is sent for the order whose (canonical) client order id is `clientOrderId`, the one
 * `clientOrderIdFor` computes and the ledger keys on. A pure function of venue and canonical id, so a
 * retried activity or a restarted worker sends the same venue id and finds its order.
 *   binance and venues without a rule here: the canonical id itself (1-36 chars of [.A-Za-z0-9:/_-]).
 *   kraken: the canonical id when it is free text Kraken takes (≤ 18 chars), else a UUID derived from it.
 */
export function venueClientOrderId(venue: string, clientOrderId: string): string {
  if (venue === 'kraken') return KRAKEN_FREE_TEXT.test(clientOrderId) ? clientOrderId : uuidOf(clientOrderId);
  return clientOrderId;
}
