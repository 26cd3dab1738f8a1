/**
 * npm run --silent turn:config -- [--realm <name>] [--external-ip <public[/private]>]
 *     [--listening-ip <ip>]... [--relay-ip <ip>]... [--min-port N] [--max-port N]
 *     [--cert <pem> --pkey <pem>] [--user-quota N] [--total-quota N] [--max-bps N]
 *     [--bps-capacity N] [--log-file <path|syslog>] [--allowed-peer-ip <ip[-ip]>]... [--out <file>]
 *
 * Prints a hardened coturn `turnserver.conf` for a station deployment that
 * matches this broker: the same TURN_SECRET (read from the same environment as
 * the server, through loadConfig), the ports of TURN_URLS, and REST-style
 * short-lived credentials (what /api/ice hands out). Refuses, with a message on
 * stderr and exit code 2, when TURN_SECRET is missing or unsafe.
 *
 * Written for coturn 4.6 (Debian 12's package); `turnserver -c <file>` reads it.
 */
import fs from 'node:fs';
import { isIP } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, turnSecretProblem } from '../config.ts';

const usage =
  'usage: npm run --silent turn:config -- [--realm <name>] [--external-ip <public[/private]>] [--listening-ip <ip>]...\n' +
  '         [--relay-ip <ip>]... [--min-port N] [--max-port N] [--cert <pem> --pkey <pem>] [--user-quota N] [--total-quota N]\n' +
  '         [--max-bps N] [--bps-capacity N] [--log-file <path|syslog>] [--allowed-peer-ip <ip[-ip]>]... [--out <file>]\n' +
  '       with TURN_SECRET (and TURN_URLS, TURN_TTL) set as for the server.';

export interface TurnConfigOptions {
  secret: string;
  /** TURN_URLS as the broker hands them out (may be empty). */
  urls: string[];
  /** TURN_TTL: how long the broker's credentials stay valid, in seconds. */
  ttl: number;
  /** Without it: the first host name in TURN_URLS, else DEFAULT_REALM. */
  realm?: string | undefined;
  externalIp?: string | undefined;
  listeningIps: string[];
  relayIps: string[];
  minPort: number;
  maxPort: number;
  cert?: string | undefined;
  pkey?: string | undefined;
  userQuota: number;
  totalQuota: number;
  maxBps: number;
  bpsCapacity: number;
  logFile: string;
  allowedPeerIps: string[];
}

export const TURN_DEFAULTS = {
  minPort: 49152,
  maxPort: 65535,
  userQuota: 12,
  totalQuota: 1000,
  maxBps: 32_000,
  bpsCapacity: 12_500_000,
  logFile: '/var/log/turnserver/turnserver.log',
} as const;

/**
 * Peer addresses a relay must never reach: with them a TURN server becomes a
 * way into the station's own network or the host itself (RFC 8656 §21.3 and
 * coturn's own recommended list). coturn 4.6 takes ranges `a-b`, not CIDR.
 * Not listed: the unspecified address `::`: coturn 4.6 treats it as a wildcard
 * and then refuses every peer, public ones included (it is not routable anyway).
 */
export const DENIED_PEER_RANGES: [range: string, why: string][] = [
  ['0.0.0.0-0.255.255.255', '0.0.0.0/8 "this network"'],
  ['10.0.0.0-10.255.255.255', '10.0.0.0/8 private'],
  ['100.64.0.0-100.127.255.255', '100.64.0.0/10 carrier-grade NAT (shared address space)'],
  ['127.0.0.0-127.255.255.255', '127.0.0.0/8 loopback: the TURN host itself'],
  ['169.254.0.0-169.254.255.255', '169.254.0.0/16 link-local (and cloud metadata at 169.254.169.254)'],
  ['172.16.0.0-172.31.255.255', '172.16.0.0/12 private'],
  ['192.0.0.0-192.0.0.255', '192.0.0.0/24 IETF protocol assignments'],
  ['192.0.2.0-192.0.2.255', '192.0.2.0/24 TEST-NET-1'],
  ['192.88.99.0-192.88.99.255', '192.88.99.0/24 6to4 relay anycast'],
  ['192.168.0.0-192.168.255.255', '192.168.0.0/16 private'],
  ['198.18.0.0-198.19.255.255', '198.18.0.0/15 benchmarking'],
  ['198.51.100.0-198.51.100.255', '198.51.100.0/24 TEST-NET-2'],
  ['203.0.113.0-203.0.113.255', '203.0.113.0/24 TEST-NET-3'],
  ['224.0.0.0-239.255.255.255', '224.0.0.0/4 multicast'],
  ['240.0.0.0-255.255.255.255', '240.0.0.0/4 reserved, and 255.255.255.255 broadcast'],
  ['::1', '::1 loopback'],
  ['::ffff:0.0.0.0-::ffff:255.255.255.255', '::ffff:0:0/96 IPv4-mapped: would bypass every IPv4 rule above'],
  ['64:ff9b::-64:ff9b::ffff:ffff', '64:ff9b::/96 NAT64: reaches IPv4 addresses through a translator'],
  ['64:ff9b:1::-64:ff9b:1:ffff:ffff:ffff:ffff:ffff', '64:ff9b:1::/48 local-use NAT64'],
  ['100::-100::ffff:ffff:ffff:ffff', '100::/64 discard-only'],
  ['2001::-2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', '2001::/23 IETF protocol assignments (Teredo embeds IPv4)'],
  ['2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32 documentation'],
  ['2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2002::/16 6to4: embeds IPv4, including private ones'],
  ['fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fc00::/7 unique-local'],
  ['fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::/10 link-local'],
  ['fec0::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fec0::/10 old site-local'],
  ['ff00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ff00::/8 multicast'],
];

/**
 * The realm when neither --realm nor a host name in TURN_URLS gives one. Any
 * name works: clients learn it from coturn's challenge, and the broker's
 * credentials do not depend on it.
 */
export const DEFAULT_REALM = 'bfp';

export class TurnConfigError extends Error {}

interface ParsedUrl {
  secure: boolean;
  host: string;
  port: number;
}

/** turn:host[:port][?transport=udp|tcp] and turns:… (RFC 7065), host may be [IPv6]. */
export function parseTurnUrl(url: string): ParsedUrl {
  const m = /^(turns?):(\[[0-9a-fA-F:.]+\]|[^:?[\]]+)(?::(\d{1,5}))?(\?transport=(?:udp|tcp))?$/.exec(url);
  if (!m) throw new TurnConfigError(`TURN_URLS entry "${url}" is not turn:<host>[:<port>][?transport=udp|tcp] or turns:…`);
  const [, scheme, rawHost, rawPort] = m as unknown as [string, 'turn' | 'turns', string, string | undefined];
  const secure = scheme === 'turns';
  const port = rawPort === undefined ? (secure ? 5349 : 3478) : Number(rawPort);
  if (port < 1 || port > 65535) throw new TurnConfigError(`TURN_URLS entry "${url}" has no valid port`);
  return { secure, host: rawHost.replace(/^\[|\]$/g, ''), port };
}

const REALM = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** What one line of turnserver.conf can carry without quoting: no spaces, quotes, '#' or control characters. */
const CONF_VALUE = /^[\x21\x24-\x26\x28-\x7e]+$/;
const PEER_RANGE = /^[0-9a-fA-F:.]+(?:-[0-9a-fA-F:.]+)?$/;

function checkValue(name: string, value: string, secret = false): string {
  if (!CONF_VALUE.test(value)) throw new TurnConfigError(`${name}${secret ? '' : ` "${value}"`} cannot go into turnserver.conf: it has spaces, quotes, '#' or control characters`);
  return value;
}

function checkIp(name: string, value: string): string {
  if (!isIP(value)) throw new TurnConfigError(`${name} takes an IP address, got "${value}"`);
  return value;
}

function checkPeerRange(value: string): string {
  const parts = value.split('-');
  if (!PEER_RANGE.test(value) || parts.some((p) => !isIP(p))) throw new TurnConfigError(`--allowed-peer-ip takes <ip> or <ip>-<ip> (no CIDR: coturn does not read it), got "${value}"`);
  return value;
}

/** The first host name (not an IP address) in TURN_URLS. */
export function realmFromUrls(urls: string[]): string | undefined {
  return urls.map((u) => parseTurnUrl(u).host).find((h) => !isIP(h));
}

/** The turnserver.conf text. Throws TurnConfigError when the settings cannot make a safe, matching config. */
export function renderTurnConfig(o: TurnConfigOptions): string {
  if (!o.secret) throw new TurnConfigError('TURN_SECRET is not set: coturn and the broker must share it (static-auth-secret). Set TURN_SECRET to a long random string, the same value the server runs with.');
  const secretProblem = turnSecretProblem(o.secret);
  if (secretProblem) throw new TurnConfigError(secretProblem);
  checkValue('TURN_SECRET', o.secret, true);

  const parsed = o.urls.map(parseTurnUrl);
  const plainPorts = [...new Set(parsed.filter((u) => !u.secure).map((u) => u.port))];
  const tlsPorts = [...new Set(parsed.filter((u) => u.secure).map((u) => u.port))];
  if (plainPorts.length > 1) throw new TurnConfigError(`TURN_URLS name several turn: ports (${plainPorts.join(', ')}); coturn listens on one listening-port`);
  if (tlsPorts.length > 1) throw new TurnConfigError(`TURN_URLS name several turns: ports (${tlsPorts.join(', ')}); coturn listens on one tls-listening-port`);
  const listeningPort = plainPorts[0] ?? 3478;
  const tlsPort = tlsPorts[0] ?? 5349;
  if (tlsPorts.length > 0 && tlsPort === listeningPort) throw new TurnConfigError(`TURN_URLS use port ${tlsPort} for both turn: and turns:`);
  const tls = Boolean(o.cert || o.pkey);
  if (tls && !(o.cert && o.pkey)) throw new TurnConfigError('--cert and --pkey go together');
  if (tlsPorts.length > 0 && !tls) throw new TurnConfigError('TURN_URLS has a turns: URL, but no --cert/--pkey were given for coturn to serve TLS with');

  const realm = o.realm ?? realmFromUrls(o.urls) ?? DEFAULT_REALM;
  if (!REALM.test(realm)) throw new TurnConfigError(`--realm "${realm}" is not a DNS-style name`);

  if (!Number.isInteger(o.minPort) || !Number.isInteger(o.maxPort) || o.minPort < 1024 || o.maxPort > 65535 || o.minPort > o.maxPort) {
    throw new TurnConfigError(`--min-port/--max-port must be 1024 ≤ min ≤ max ≤ 65535, got ${o.minPort}-${o.maxPort}`);
  }
  if ((listeningPort >= o.minPort && listeningPort <= o.maxPort) || (tls && tlsPort >= o.minPort && tlsPort <= o.maxPort)) {
    throw new TurnConfigError(`the relay port range ${o.minPort}-${o.maxPort} contains the listening port`);
  }
  for (const [name, n, min] of [['--user-quota', o.userQuota, 1], ['--total-quota', o.totalQuota, 1], ['--max-bps', o.maxBps, 8000], ['--bps-capacity', o.bpsCapacity, 8000]] as const) {
    if (!Number.isInteger(n) || n < min) throw new TurnConfigError(`${name} must be an integer of at least ${min}, got ${n}`);
  }
  if (o.externalIp !== undefined) {
    const [pub, priv, extra] = o.externalIp.split('/');
    if (extra !== undefined || !pub || !isIP(pub) || (priv !== undefined && !isIP(priv))) throw new TurnConfigError(`--external-ip takes <public ip>[/<private ip>], got "${o.externalIp}"`);
  }
  o.listeningIps.forEach((ip) => checkIp('--listening-ip', ip));
  o.relayIps.forEach((ip) => checkIp('--relay-ip', ip));
  o.allowedPeerIps.forEach(checkPeerRange);
  checkValue('--log-file', o.logFile);
  if (o.cert) checkValue('--cert', o.cert);
  if (o.pkey) checkValue('--pkey', o.pkey);

  const lines: string[] = [];
  const out = (...more: string[]) => lines.push(...more);
  const section = (title: string) => out('', `# --- ${title} ${'-'.repeat(Math.max(3, 70 - title.length))}`);

  out(
    '# coturn turnserver.conf for BFP Emergency Voice, printed by `npm run turn:config`.',
    '# It matches the broker started with the same environment: the same TURN_SECRET, and the',
    `# ports of TURN_URLS=${o.urls.length ? o.urls.join(',') : '(unset: the broker hands out no TURN server yet!)'}.`,
    '# It holds the shared secret: install it readable by coturn only (chmod 600, owner turnserver),',
    '# e.g. as /etc/turnserver.conf, and run `turnserver -c /etc/turnserver.conf` (Debian: systemctl restart coturn).',
    '# Written for coturn 4.6; every line below was parsed by it without a warning.',
  );

  section('Listeners');
  out('# The ports clients are told about in TURN_URLS.', `listening-port=${listeningPort}`);
  if (tls) out(`tls-listening-port=${tlsPort}`);
  if (o.listeningIps.length) out('# Listen only where clients reach this host.', ...o.listeningIps.map((ip) => `listening-ip=${ip}`));
  else out('# listening-ip: not set, so coturn listens on every interface (pass --listening-ip to narrow it).');
  if (o.relayIps.length) out('# The address relayed media leaves from.', ...o.relayIps.map((ip) => `relay-ip=${ip}`));
  if (o.externalIp) out('# This host is behind NAT: the public address that maps to the relay address (ports forwarded 1:1).', `external-ip=${o.externalIp}`);
  else out('# external-ip: not set (pass --external-ip <public>[/<private>] when coturn sits behind NAT).');
  out(
    `# Relay ports: open UDP ${o.minPort}-${o.maxPort} (and ${listeningPort} UDP+TCP${tls ? `, ${tlsPort} TCP` : ''}) in the firewall, nothing else.`,
    `min-port=${o.minPort}`,
    `max-port=${o.maxPort}`,
    '# Browsers relay over UDP only; TCP relay endpoints (RFC 6062) would only serve other uses.',
    'no-tcp-relay',
    '# Browsers never speak DTLS to a TURN server; turns: is TLS over TCP.',
    'no-dtls',
  );
  if (tls) {
    out('# TLS for turns: URLs (networks that only let TLS on 443 through). TLS 1.2 or newer only.', `cert=${o.cert}`, `pkey=${o.pkey}`);
  } else {
    out('# No turns: URL and no certificate: no TLS listener at all.', 'no-tls');
  }
  out('# Old protocol versions are refused whenever TLS is on.', 'no-tlsv1', 'no-tlsv1_1');

  section('Authentication: the broker\'s short-lived credentials');
  out(
    '# The broker (/api/ice) hands out username "<expiry unix time>:<peer id>" and password',
    '# base64(HMAC-SHA1(TURN_SECRET, username)); coturn checks both and refuses expired ones.',
    `# TURN_TTL=${o.ttl}: credentials are valid ${o.ttl} s after the client fetched them.`,
    'use-auth-secret',
    `static-auth-secret=${o.secret}`,
    `realm=${realm}`,
    '# A fingerprint on every message lets clients and middleboxes tell TURN from other UDP.',
    'fingerprint',
    '# Nonces expire (seconds), so a captured request cannot be replayed for long.',
    'stale-nonce=600',
    '# A STUN Binding without credentials would make this an open reflector: TURN clients',
    '# (the only users here: /api/ice hands out turn: URLs, never stun:) always authenticate.',
    'secure-stun',
  );

  section('Peers a relay may reach');
  out(
    '# A relay must only reach the public Internet: never this host, the station LAN or any',
    '# private, loopback, link-local or special-purpose range. (coturn refuses loopback peers',
    '# unless allow-loopback-peers is set, which this file never does; coturn 4.6 no longer',
    '# accepts the old "no-loopback-peers" line, so 127.0.0.0/8 and ::1 are denied below instead.)',
    'no-multicast-peers',
  );
  for (const [range, why] of DENIED_PEER_RANGES) out(`# ${why}`, `denied-peer-ip=${range}`);
  if (o.allowedPeerIps.length) {
    out(
      '# Exceptions asked for with --allowed-peer-ip (they win over the denials above). Anyone with',
      '# credentials from /api/ice can relay to these addresses: keep them to the consoles\' own subnet.',
      ...o.allowedPeerIps.map((r) => `allowed-peer-ip=${r}`),
    );
  }

  section('Quotas and bandwidth');
  out(
    '# Allocations per credential (a call is two connections, media and data, each with a few',
    '# relay candidates, plus ICE restarts): a client that asks for many more is misbehaving.',
    `user-quota=${o.userQuota}`,
    '# Allocations in total, so a flood of credentials cannot exhaust ports or memory.',
    `total-quota=${o.totalQuota}`,
    '# Bytes per second one session may relay: Opus is capped at 64 kbit/s (8,000 B/s) each way,',
    '# so this leaves room for packet overhead and the data channel, and none for bulk transfer.',
    `max-bps=${o.maxBps}`,
    '# Bytes per second for the whole server: keep it below the station\'s uplink.',
    `bps-capacity=${o.bpsCapacity}`,
  );

  section('Surface');
  out(
    '# No telnet admin console (it listens on 127.0.0.1:5766 by default, password empty).',
    'no-cli',
    '# Do not tell scanners which coturn version answers.',
    'no-software-attribute',
    '# NAT-behaviour discovery (RFC 5780) and old RFC 3489 answers add reflection/amplification',
    '# surface and nothing WebRTC needs.',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'response-origin-only-with-rfc5780',
  );

  section('Logging');
  out(
    '# One file, rotated by logrotate (simple-log: no date suffixes), ISO timestamps, nothing on',
    '# stdout twice under systemd. No "verbose" (it logs every packet and peer ids) and no',
    '# "log-binding" (a Binding flood would become a disk flood).',
    `log-file=${o.logFile}`,
    'simple-log',
    'new-log-timestamp',
    'no-stdout-log',
  );
  return lines.join('\n') + '\n';
}

function intFlag(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new TurnConfigError(`--${name} takes a whole number, got "${String(raw)}"`);
  return n;
}

export function run(argv: string[], env: Record<string, string | undefined>): { text: string; out?: string; warnings: string[] } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      realm: { type: 'string' },
      'external-ip': { type: 'string' },
      'listening-ip': { type: 'string', multiple: true },
      'relay-ip': { type: 'string', multiple: true },
      'min-port': { type: 'string' },
      'max-port': { type: 'string' },
      cert: { type: 'string' },
      pkey: { type: 'string' },
      'user-quota': { type: 'string' },
      'total-quota': { type: 'string' },
      'max-bps': { type: 'string' },
      'bps-capacity': { type: 'string' },
      'log-file': { type: 'string' },
      'allowed-peer-ip': { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return { text: `${usage}\n`, warnings: [] };
  if (positionals.length) throw new TurnConfigError(`unexpected argument "${positionals[0]}"\n${usage}`);
  if (!env.TURN_SECRET) {
    throw new TurnConfigError('TURN_SECRET is not set. Run this with the environment the server runs with (TURN_SECRET, TURN_URLS): coturn must share the secret the broker signs TURN credentials with.');
  }
  // The same parsing and checks as the server (TURN_URLS format, TURN_TTL range).
  const config = loadConfig(env);
  const urls = config.turn?.urls ?? [];
  const warnings = urls.length ? [] : ['warning: TURN_URLS is not set, so the broker hands out no TURN server and clients never use this relay; set it as well.'];
  const text = renderTurnConfig({
    secret: env.TURN_SECRET,
    urls,
    ttl: config.turn?.ttl ?? 3600,
    realm: values.realm,
    externalIp: values['external-ip'],
    listeningIps: values['listening-ip'] ?? [],
    relayIps: values['relay-ip'] ?? [],
    minPort: intFlag(values, 'min-port', TURN_DEFAULTS.minPort),
    maxPort: intFlag(values, 'max-port', TURN_DEFAULTS.maxPort),
    cert: values.cert,
    pkey: values.pkey,
    userQuota: intFlag(values, 'user-quota', TURN_DEFAULTS.userQuota),
    totalQuota: intFlag(values, 'total-quota', TURN_DEFAULTS.totalQuota),
    maxBps: intFlag(values, 'max-bps', TURN_DEFAULTS.maxBps),
    bpsCapacity: intFlag(values, 'bps-capacity', TURN_DEFAULTS.bpsCapacity),
    logFile: values['log-file'] ?? TURN_DEFAULTS.logFile,
    allowedPeerIps: values['allowed-peer-ip'] ?? [],
  });
  if (!values.realm && !realmFromUrls(urls)) {
    warnings.push(`warning: no --realm, and TURN_URLS name no host name to take one from: using realm "${DEFAULT_REALM}" (fine for the broker's credentials; pass --realm <name> to choose another).`);
  }
  return { text, warnings, ...(values.out ? { out: values.out } : {}) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const result = run(process.argv.slice(2), process.env);
    for (const w of result.warnings) process.stderr.write(`${w}\n`);
    if (result.out) {
      // The file holds the shared secret: owner-only from the first byte.
      fs.writeFileSync(result.out, result.text, { mode: 0o600 });
      fs.chmodSync(result.out, 0o600);
      process.stderr.write(`wrote ${result.out} (mode 600)\n`);
    } else {
      process.stdout.write(result.text);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`turn:config refused: ${message}\n`);
    process.exit(2);
  }
}
