/**
 * The codec server: the HTTP endpoints the Temporal Web UI (and `temporal --codec-endpoint`) call to
 * see decoded payloads, so the keys never leave our side and the Temporal Service only stores
 * ciphertext. Protocol: `POST /encode` and `POST /decode` (also under a `/{namespace}/` prefix, as the
 * CLI templates it), body and answer `{"payloads":[{"metadata":{"k":"<base64>"},"data":"<base64>"}]}`
 * (proto3 JSON: every bytes field base64).
 *
 * Who may call it: a bearer token (`Authorization: Bearer <token>`) on every encode/decode; browsers
 * only from the configured UI origins (CORS, including the preflight for Authorization/X-Namespace).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { PayloadCodec } from '@temporalio/common';
import { jsonToPayload, payloadToJson } from './payload-json';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** the bearer token every encode/decode must present */
  token: string;
  /** browser origins allowed to call (the Web UI's), e.g. http://127.0.0.1:8233 */
  corsOrigins: string[];
  /** largest accepted request body */
  maxBodyBytes?: number;
}

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const requestSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), b64).nullish(), data: b64.nullish() }).passthrough()).max(10_000),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

/** The request handler, separate from listening so tests and other hosts can mount it. */
export function codecRequestHandler(o: CodecServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = o.maxBodyBytes ?? 16 * 1024 * 1024;
  const expected = digest(o.token);
  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) send(res, status, { error: (e as Error).message });
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin && o.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const path = new URL(req.url ?? '/', 'http://codec').pathname;
    const action = /^(?:\/[^/]+)?\/(encode|decode)\/?$/.exec(path)?.[1] as 'encode' | 'decode' | undefined;
    if (req.method === 'OPTIONS') {
      // the preflight carries no credentials: it is answered for allowed origins only
      if (!action || !origin || !o.corsOrigins.includes(origin)) throw new HttpError(403, 'origin not allowed');
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (!action) throw new HttpError(404, 'not found: the codec server answers POST /encode and POST /decode');
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} not allowed: use POST`);
    if (origin && !o.corsOrigins.includes(origin)) throw new HttpError(403, `origin ${origin} not allowed`);
    if (!authorized(req.headers.authorization, expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'missing or wrong bearer token');
    }
    const body = await readBody(req, maxBody);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'body is not JSON');
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) throw new HttpError(400, `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    const payloads = parsed.data.payloads.map((p) => jsonToPayload({ metadata: p.metadata, data: p.data }));
    let out;
    try {
      out = action === 'encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
    } catch (e) {
      // a payload sealed with an unknown key: say which, do not leak anything else
      throw new HttpError(422, `${action} failed: ${(e as Error).message}`);
    }
    send(res, 200, { payloads: out.map(payloadToJson) });
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of the presented bearer token (hashed to equal lengths first). */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return !!m && timingSafeEqual(digest(m[1]!), expected);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // an oversized body is drained, not kept, so the 413 answer still reaches the caller
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => (size > max ? reject(new HttpError(413, `body over ${max} bytes`)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export interface RunningCodecServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (port 0: a free one) and resolves once it accepts connections. */
export function startCodecServer(o: CodecServerOptions & { host?: string; port?: number }): Promise<RunningCodecServer> {
  const server = createServer(codecRequestHandler(o));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        server,
        url: `http://${host}:${port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
