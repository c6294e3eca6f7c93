/**
 * The payload codec that keeps strategy configs, sizes, prices and approvals out of Temporal's
 * history in plaintext: every payload is serialized whole (metadata + data, as the proto `Payload`)
 * and sealed with AES-256-GCM. The wrapper payload carries only `encoding: binary/encrypted` and the
 * id of the key that sealed it, so decoding picks the right key while keys rotate.
 *
 * Wire format of the wrapper's data: 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Raised when a payload cannot be decrypted: names the key id so the operator knows which key is missing. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

export interface AesGcmCodecOptions {
  /** the key that encrypts new payloads; must be one of `keys` */
  encryptWith: string;
  /** every key accepted for decryption, by id (the old ones stay here while workflows started under them run) */
  keys: ReadonlyMap<string, Uint8Array>;
}

export class AesGcmCodec implements PayloadCodec {
  private readonly encryptKey: Uint8Array;

  constructor(private readonly o: AesGcmCodecOptions) {
    for (const [id, key] of o.keys) {
      if (key.length !== KEY_BYTES) throw new Error(`codec key "${id}" has ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    }
    const key = o.keys.get(o.encryptWith);
    if (!key) throw new Error(`the encrypting key "${o.encryptWith}" is not among the configured keys (${[...o.keys.keys()].join(', ') || 'none'})`);
    this.encryptKey = key;
  }

  get keyId(): string {
    return this.o.encryptWith;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.seal(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.open(p));
  }

  private seal(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptKey, iv);
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8.encode(this.o.encryptWith) },
      data: new Uint8Array(sealed),
    };
  }

  private open(payload: Payload): Payload {
    // histories recorded before encryption was switched on hold plain payloads: they pass through
    if (!isEncrypted(payload)) return payload;
    const rawId = payload.metadata?.[METADATA_KEY_ID];
    if (!rawId) throw new PayloadDecryptionError(`encrypted payload without "${METADATA_KEY_ID}" metadata: cannot pick a key`);
    const keyId = fromUtf8.decode(rawId);
    const key = this.o.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(`payload encrypted with key "${keyId}", which is not configured (known: ${[...this.o.keys.keys()].join(', ') || 'none'})`);
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`payload encrypted with key "${keyId}" is truncated (${data.length} bytes)`);
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const body = data.subarray(IV_BYTES, data.length - TAG_BYTES);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`payload encrypted with key "${keyId}" failed authentication: wrong key material for that id, or the payload was altered`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

export function isEncrypted(payload: Payload): boolean {
  const enc = payload.metadata?.[METADATA_ENCODING_KEY];
  return !!enc && fromUtf8.decode(enc) === ENCRYPTED_ENCODING;
}

/** The key id an encrypted payload names, or undefined for a plain payload. */
export function payloadKeyId(payload: Payload): string | undefined {
  const id = payload.metadata?.[METADATA_KEY_ID];
  return isEncrypted(payload) && id ? fromUtf8.decode(id) : undefined;
}
