/**
 * Test helpers for TURN: IP ranges as numbers, and a minimal STUN/TURN client
 * over UDP (RFC 5389 messages with MESSAGE-INTEGRITY and FINGERPRINT, RFC 5766
 * Allocate and CreatePermission with long-term credentials). Enough to check
 * what a coturn configuration lets through; not a general client.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';

/* ------------------------------------------------------------------ */
/* Address ranges                                                      */
/* ------------------------------------------------------------------ */

export function ipToBigInt(ip: string): { v6: boolean; n: bigint } {
  if (net.isIPv4(ip)) return { v6: false, n: ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  if (!net.isIPv6(ip)) throw new Error(`not an IP: ${ip}`);
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1] as string).n;
    text = text.replace(v4[1] as string, `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`);
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return { v6: true, n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export function inRanges(ip: string, ranges: string[]): boolean {
  const x = ipToBigInt(ip);
  return ranges.some((r) => {
    const [a, b = a] = r.split('-') as [string, string?];
    const lo = ipToBigInt(a);
    const hi = ipToBigInt(b);
    return lo.v6 === x.v6 && x.n >= lo.n && x.n <= hi.n;
  });
}

/* ------------------------------------------------------------------ */
/* A minimal STUN/TURN client                                          */
/* ------------------------------------------------------------------ */

export const MAGIC = 0x2112a442;
export const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
  SOFTWARE: 0x8022,
  FINGERPRINT: 0x8028,
} as const;
export const METHOD = { BINDING: 0x0001, ALLOCATE: 0x0003, CREATE_PERMISSION: 0x0008 } as const;

function attr(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function header(type: number, length: number, tid: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(MAGIC, 4);
  tid.copy(h, 8);
  return h;
}

/** A request with MESSAGE-INTEGRITY (when a key is given) and FINGERPRINT, as RFC 5389 §15.4/15.5 define them. */
function request(method: number, tid: Buffer, attrs: Buffer[], key?: Buffer): Buffer {
  let body = Buffer.concat(attrs);
  if (key) {
    const mac = createHmac('sha1', key).update(Buffer.concat([header(method, body.length + 24, tid), body])).digest();
    body = Buffer.concat([body, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
  }
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((zlib.crc32(Buffer.concat([header(method, body.length + 8, tid), body])) ^ 0x5354554e) >>> 0);
  body = Buffer.concat([body, attr(ATTR.FINGERPRINT, crc)]);
  return Buffer.concat([header(method, body.length, tid), body]);
}

export interface Response {
  type: number;
  attrs: Map<number, Buffer>;
  /** ERROR-CODE as a number (401, 403, 486 …), or null on success. */
  error: number | null;
}

function parse(msg: Buffer): Response {
  const type = msg.readUInt16BE(0);
  const attrs = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= msg.length; ) {
    const t = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 2);
    if (!attrs.has(t)) attrs.set(t, msg.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  const code = attrs.get(ATTR.ERROR_CODE);
  return { type, attrs, error: code ? (code[2] as number) * 100 + (code[3] as number) : null };
}

function xorAddress(ip: string, port: number): Buffer {
  const v = Buffer.alloc(8);
  v.writeUInt8(0x01, 1);
  v.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  v.writeUInt32BE((Number(ipToBigInt(ip).n) ^ MAGIC) >>> 0, 4);
  return v;
}

export function readXorAddress(v: Buffer): { ip: string; port: number } {
  const n = (v.readUInt32BE(4) ^ MAGIC) >>> 0;
  return { ip: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), port: v.readUInt16BE(2) ^ (MAGIC >>> 16) };
}

/** One UDP 5-tuple to the TURN server: a TURN client's allocation lives on it. */
export class TurnClient {
  private readonly socket = dgram.createSocket('udp4');
  private readonly waiting = new Map<string, (r: Response) => void>();
  private auth: { username: string; realm: string; nonce: Buffer; key: Buffer } | null = null;

  constructor(private readonly port: number) {
    this.socket.on('message', (msg) => {
      if (msg.length < 20 || msg.readUInt32BE(4) !== MAGIC) return;
      this.waiting.get(msg.subarray(8, 20).toString('hex'))?.(parse(msg));
    });
  }

  /** Sends a request and waits for its answer, retransmitting over UDP as RFC 5389 §7.2.1 does. */
  async transact(method: number, attrs: Buffer[], signed = true): Promise<Response> {
    const tid = randomBytes(12);
    const key = tid.toString('hex');
    const withAuth = signed && this.auth ? [attr(ATTR.USERNAME, Buffer.from(this.auth.username)), attr(ATTR.REALM, Buffer.from(this.auth.realm)), attr(ATTR.NONCE, this.auth.nonce), ...attrs] : attrs;
    const msg = request(method, tid, withAuth, signed ? this.auth?.key : undefined);
    const answer = new Promise<Response>((resolve) => this.waiting.set(key, resolve));
    try {
      for (let attempt = 0; attempt < 12; attempt++) {
        this.socket.send(msg, this.port, '127.0.0.1');
        const got = await Promise.race([answer, sleep(250).then(() => null)]);
        if (got) return got;
      }
      throw new Error(`no answer from the TURN server on 127.0.0.1:${this.port}`);
    } finally {
      this.waiting.delete(key);
    }
  }

  /** Allocate with long-term credentials: the 401 challenge first, then the signed request. */
  async allocate(username: string, password: string): Promise<{ challenge: Response; result: Response }> {
    const transport = attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0]));
    const challenge = await this.transact(METHOD.ALLOCATE, [transport], false);
    const realm = challenge.attrs.get(ATTR.REALM)?.toString() ?? '';
    const nonce = challenge.attrs.get(ATTR.NONCE) ?? Buffer.alloc(0);
    this.auth = { username, realm, nonce, key: createHash('md5').update(`${username}:${realm}:${password}`).digest() };
    return { challenge, result: await this.transact(METHOD.ALLOCATE, [transport]) };
  }

  createPermission(peer: string): Promise<Response> {
    return this.transact(METHOD.CREATE_PERMISSION, [attr(ATTR.XOR_PEER_ADDRESS, xorAddress(peer, 9))]);
  }

  close(): void {
    this.socket.close();
  }
}
