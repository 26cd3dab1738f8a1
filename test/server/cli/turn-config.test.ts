/**
 * `npm run turn:config`: a hardened coturn turnserver.conf that matches the
 * broker's TURN settings. Checked three ways: the lines it prints; a real
 * coturn (Debian's `turnserver`, 4.6) started on 127.0.0.1 with nothing but
 * that file, spoken to with a minimal STUN/TURN client (RFC 5389/5766) using
 * the credentials a real broker's /api/ice hands out; and the REST formula.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../peer-server/config.ts';
import type { IceConfig } from '../../../src/shared/presence.ts';
import { citizenCredentials, runCli, startBroker, tempDir } from '../harness.ts';
import { ATTR, METHOD, TurnClient, inRanges, readXorAddress } from './turn-client.ts';

const CLI = 'peer-server/cli/turn-config.ts';
// Each case starts Node processes (and coturn), which can take seconds on a busy machine.
const SLOW = { timeout: 90_000 };
const SECRET = 'Zq3v9Kp2Lx8Rw4Tn6Yb1Hc5Md7Fg0Js+/=';

/** The directives of a turnserver.conf: [key, value] per non-comment line, in order. */
function directives(text: string): [string, string][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const i = l.indexOf('=');
      return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)];
    });
}

function values(text: string, key: string): string[] {
  return directives(text)
    .filter(([k]) => k === key)
    .map(([, v]) => v);
}

/* ------------------------------------------------------------------ */
/* coturn                                                              */
/* ------------------------------------------------------------------ */

/** A port free for both TCP and UDP on 127.0.0.1 (coturn listens on both). */
async function freeTurnPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const ok = await new Promise<boolean>((resolve) => {
      const tcp = net.createServer();
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => {
        const udp = dgram.createSocket('udp4');
        udp.once('error', () => tcp.close(() => resolve(false)));
        udp.bind(port, '127.0.0.1', () => udp.close(() => tcp.close(() => resolve(true))));
      });
    });
    if (ok) return port;
  }
  throw new Error('no free port for coturn');
}

function hasTurnserver(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v turnserver'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const running = new Set<ChildProcess>();

afterEach(async () => {
  await Promise.all([...running].map(stop));
});

async function stop(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** `turnserver -c <file>` and nothing else from the file's content: only where its pid and database go. */
async function startCoturn(confFile: string, dir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn('turnserver', ['-c', confFile, `--pidfile=${path.join(dir, 'turnserver.pid')}`, `--userdb=${path.join(dir, 'turndb')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => text;
  // Up once it answers STUN on the port (with secure-stun, a 401 to an unsigned Binding is an answer).
  const probe = new TurnClient(port);
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${output()}`);
      const answered = await probe.transact(METHOD.BINDING, [], false).then(
        () => true,
        () => false,
      );
      if (answered) break;
      if (Date.now() > deadline) throw new Error(`turnserver did not answer on 127.0.0.1:${port}:\n${output()}`);
    }
  } finally {
    probe.close();
  }
  return { child, output };
}

/* ------------------------------------------------------------------ */

describe('turn:config', () => {
  it('prints a hardened turnserver.conf matching the broker: shared secret, realm, ports, denied peers, quotas, caps, TLS 1.2+', SLOW, async () => {
    const env = {
      TURN_SECRET: SECRET,
      TURN_URLS: 'turn:turn.bfp.example:3478?transport=udp,turn:turn.bfp.example:3478?transport=tcp,turns:turn.bfp.example:5349?transport=tcp',
      TURN_TTL: '900',
    };
    const result = await runCli(CLI, ['--external-ip', '198.51.100.20/10.0.0.5', '--listening-ip', '10.0.0.5', '--relay-ip', '10.0.0.5', '--min-port', '50000', '--max-port', '50999', '--cert', '/etc/bfp/turn.pem', '--pkey', '/etc/bfp/turn.key'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const conf = result.stdout;
    const one = (key: string) => {
      const found = values(conf, key);
      expect(found, key).toHaveLength(1);
      return found[0];
    };

    // Long-term credentials with the broker's secret: the REST scheme /api/ice signs for.
    expect(one('use-auth-secret')).toBe('');
    expect(one('static-auth-secret')).toBe(SECRET);
    expect(one('realm')).toBe('turn.bfp.example');
    expect(one('fingerprint')).toBe('');
    expect(Number(one('stale-nonce'))).toBeGreaterThan(0);
    // Ports from TURN_URLS, addresses from the flags.
    expect(one('listening-port')).toBe('3478');
    expect(one('tls-listening-port')).toBe('5349');
    expect(values(conf, 'listening-ip')).toEqual(['10.0.0.5']);
    expect(values(conf, 'relay-ip')).toEqual(['10.0.0.5']);
    expect(one('external-ip')).toBe('198.51.100.20/10.0.0.5');
    expect([one('min-port'), one('max-port')]).toEqual(['50000', '50999']);
    expect([one('cert'), one('pkey')]).toEqual(['/etc/bfp/turn.pem', '/etc/bfp/turn.key']);
    for (const flag of ['no-tlsv1', 'no-tlsv1_1', 'no-cli', 'no-multicast-peers', 'no-dtls', 'no-tcp-relay', 'no-software-attribute', 'secure-stun']) expect(one(flag), flag).toBe('');
    // Quotas and bandwidth caps.
    for (const key of ['user-quota', 'total-quota', 'max-bps', 'bps-capacity']) expect(Number(one(key)), key).toBeGreaterThan(0);
    expect(Number(one('max-bps'))).toBeGreaterThanOrEqual(16_000); // two directions of 64 kbit/s Opus
    expect(one('log-file')).toBeTruthy();
    expect(one('simple-log')).toBe('');
    // Never on in production.
    for (const key of ['allow-loopback-peers', 'verbose', 'Verbose', 'log-binding', 'no-auth', 'web-admin', 'cli-password', 'lt-cred-mech', 'no-tls', 'allowed-peer-ip']) {
      expect(values(conf, key), key).toEqual([]);
    }
    // Every directive is explained by a comment right above it (or by the one above its group).
    const lines = conf.split('\n');
    const firstOfGroup = lines.filter((l, i) => l && !l.startsWith('#') && !(lines[i - 1] ?? '').trim().startsWith('#') && directives(lines[i - 1] ?? '').length === 0);
    expect(firstOfGroup).toEqual([]);

    // Denied peers: private, CGNAT, loopback, link-local, unique-local, this-network and other special ranges, v4 and v6.
    const denied = values(conf, 'denied-peer-ip');
    const mustDeny = [
      '10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.10', '100.64.0.1', '100.127.255.254', '127.0.0.1', '127.255.255.254',
      '169.254.169.254', '0.0.0.0', '0.1.2.3', '224.0.0.251', '239.255.255.250', '255.255.255.255', '192.0.2.1', '198.18.0.1',
      '::1', 'fe80::1', 'febf::1', 'fc00::1', 'fd12:3456::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '64:ff9b::a00:1', '2002:c0a8:101::1', 'ff02::1',
    ];
    for (const ip of mustDeny) expect(inRanges(ip, denied), `${ip} must be denied`).toBe(true);
    // …and the public Internet stays reachable.
    for (const ip of ['1.1.1.1', '8.8.8.8', '100.63.255.255', '100.128.0.0', '172.32.0.1', '2606:4700:4700::1111', '2400:cb00::1']) {
      expect(inRanges(ip, denied), `${ip} must stay reachable`).toBe(false);
    }
    // CIDR would be read by coturn as a host name and ignored: ranges only. And never `::`, which coturn 4.6
    // takes as a wildcard: every peer, public ones too, would be refused.
    for (const range of denied) expect(range, range).not.toContain('/');
    expect(denied).not.toContain('::');
  });

  it('without a turns: URL: no TLS listener; the realm and port come from the flags and the URL', SLOW, async () => {
    const result = await runCli(CLI, ['--realm', 'bfp.station.lan', '--allowed-peer-ip', '192.168.50.10-192.168.50.20'], { TURN_SECRET: SECRET, TURN_URLS: 'turn:203.0.113.9:3479' });
    expect(result.code).toBe(0);
    expect(values(result.stdout, 'realm')).toEqual(['bfp.station.lan']);
    expect(values(result.stdout, 'listening-port')).toEqual(['3479']);
    expect(values(result.stdout, 'tls-listening-port')).toEqual([]);
    expect(values(result.stdout, 'no-tls')).toEqual(['']);
    expect(values(result.stdout, 'no-tlsv1')).toEqual(['']);
    expect(values(result.stdout, 'allowed-peer-ip')).toEqual(['192.168.50.10-192.168.50.20']);
  });

  it('with only IP addresses in TURN_URLS and no --realm: realm "bfp", and a warning that says how to choose one', SLOW, async () => {
    const result = await runCli(CLI, [], { TURN_SECRET: 'abcdefghijklmnopqrstuvwxyz0123', TURN_URLS: 'turn:127.0.0.1:3478?transport=udp' });
    expect(result.code, result.stderr).toBe(0);
    expect(values(result.stdout, 'realm')).toEqual(['bfp']);
    expect(values(result.stdout, 'listening-port')).toEqual(['3478']);
    expect(result.stderr).toMatch(/^warning: .*realm "bfp".*--realm <name>/);
    expect(result.stderr).not.toContain('abcdefghijklmnopqrstuvwxyz0123');
  });

  it('takes every secret the broker takes: 16 characters is enough for both', SLOW, async () => {
    const env = { TURN_SECRET: '0123456789abcdef', TURN_URLS: 'turn:turn.bfp.example:3478' };
    expect(() => loadConfig(env)).not.toThrow();
    const result = await runCli(CLI, [], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(values(result.stdout, 'static-auth-secret')).toEqual(['0123456789abcdef']);
    expect(values(result.stdout, 'realm')).toEqual(['turn.bfp.example']);
  });

  it('refuses with a clear message, and prints no config, when the settings cannot give a safe matching relay', SLOW, async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{}, [], /TURN_SECRET is not set/],
      [{ TURN_URLS: 'turn:turn.bfp.example:3478' }, [], /TURN_SECRET is not set/],
      [{ TURN_SECRET: 'short' }, ['--realm', 'x.example'], /shorter than 16 characters.*openssl rand -hex 32/],
      [{ TURN_SECRET: 'testsecret', TURN_URLS: 'turn:turn.bfp.example:3478' }, [], /shorter than 16 characters.*openssl rand -hex 32/],
      [{ TURN_SECRET: `${SECRET} #x`, TURN_URLS: 'turn:turn.bfp.example' }, [], /cannot go into turnserver.conf/],
      [{ TURN_SECRET: SECRET, TURN_URLS: 'turns:turn.bfp.example:5349' }, [], /no --cert\/--pkey/],
      [{ TURN_SECRET: SECRET, TURN_URLS: 'turn:turn.bfp.example' }, ['--realm', 'not a name'], /not a DNS-style name/],
      [{ TURN_SECRET: SECRET, TURN_URLS: 'stun:stun.example:3478' }, [], /turn: or turns:/],
      [{ TURN_SECRET: SECRET, TURN_URLS: 'turn:a.example:3478' }, ['--min-port', '3000', '--max-port', '4000'], /contains the listening port/],
      [{ TURN_SECRET: SECRET, TURN_URLS: 'turn:a.example:3478' }, ['--allowed-peer-ip', '10.0.0.0/8'], /no CIDR/],
      [{ TURN_SECRET: SECRET, TURN_URLS: 'turn:a.example:3478' }, ['--bogus'], /Unknown option/],
    ];
    // Two at a time: each is a Node process with the TypeScript loader.
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const results = await Promise.all(batch.map(([env, args]) => runCli(CLI, args, { TURN_SECRET: '', TURN_URLS: '', ...env })));
      results.forEach((result, j) => {
        const [env, args, message] = batch[j] as (typeof cases)[number];
        const what = `${JSON.stringify(env)} ${args.join(' ')}`;
        expect(result.code, what).toBe(2);
        expect(result.stdout, what).toBe('');
        expect(result.stderr, what).toMatch(message);
        // The secret never appears in a refusal.
        expect(result.stderr, what).not.toContain(SECRET);
      });
    }
  });

  it('--out writes the file readable by its owner only (it holds the secret)', SLOW, async () => {
    const file = path.join(tempDir('bfp-turn-'), 'turnserver.conf');
    const result = await runCli(CLI, ['--out', file], { TURN_SECRET: SECRET, TURN_URLS: 'turn:turn.bfp.example:3478' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(values(fs.readFileSync(file, 'utf8'), 'static-auth-secret')).toEqual([SECRET]);
  });

  it("coturn runs with the printed file as is: it takes the broker's /api/ice credentials, refuses forged and expired ones, enforces the quota and denies private and loopback peers", SLOW, async () => {
    if (!hasTurnserver()) throw new Error('coturn is not installed: apt-get install -y coturn');
    const dir = tempDir('bfp-coturn-');
    const port = await freeTurnPort();
    const minPort = 40_000 + Math.floor(Math.random() * 400) * 50;
    const env = { TURN_SECRET: SECRET, TURN_URLS: `turn:127.0.0.1:${port}?transport=udp`, TURN_TTL: '600' };
    const confFile = path.join(dir, 'turnserver.conf');
    const logFile = path.join(dir, 'turn.log');
    const printed = await runCli(
      CLI,
      ['--realm', 'bfp.test', '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--min-port', String(minPort), '--max-port', String(minPort + 49), '--user-quota', '2', '--log-file', logFile, '--out', confFile],
      env,
    );
    expect(printed.code, printed.stderr).toBe(0);
    const coturn = await startCoturn(confFile, dir, port);

    // The same environment gives the broker: its /api/ice credentials are what a phone would present.
    const broker = await startBroker({ env });
    const citizen = citizenCredentials();
    const ice = (await (await broker.http(`/api/ice?id=${citizen.id}`)).json()) as IceConfig;
    const server = ice.iceServers[0];
    expect(server?.urls).toEqual([`turn:127.0.0.1:${port}?transport=udp`]);
    const username = server?.username as string;
    const password = server?.credential as string;

    const clients: TurnClient[] = [];
    const client = () => {
      const c = new TurnClient(port);
      clients.push(c);
      return c;
    };
    try {
      // An unsigned Binding is refused (secure-stun): no open reflector.
      const binding = await client().transact(METHOD.BINDING, [], false);
      expect(binding.error).toBe(401);

      const phone = client();
      const { challenge, result } = await phone.allocate(username, password);
      // The challenge names the configured realm, carries a fingerprint and no software version.
      expect(challenge.error).toBe(401);
      expect(challenge.attrs.get(ATTR.REALM)?.toString()).toBe('bfp.test');
      expect(challenge.attrs.has(ATTR.FINGERPRINT)).toBe(true);
      expect(challenge.attrs.has(ATTR.SOFTWARE)).toBe(false);
      // The broker's credentials are accepted: a relay address in the configured range.
      expect(result.error, `allocate with /api/ice credentials: ${coturn.output()}`).toBeNull();
      expect(result.type).toBe(0x0103);
      const relayed = readXorAddress(result.attrs.get(ATTR.XOR_RELAYED_ADDRESS) as Buffer);
      expect(relayed.ip).toBe('127.0.0.1');
      expect(relayed.port).toBeGreaterThanOrEqual(minPort);
      expect(relayed.port).toBeLessThanOrEqual(minPort + 49);

      // Peers: the public Internet yes; loopback, private, CGNAT, link-local, multicast, this-network no (403 Forbidden).
      expect((await phone.createPermission('1.1.1.1')).error).toBeNull();
      for (const peer of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.1', '224.0.0.1', '198.18.0.1']) {
        expect((await phone.createPermission(peer)).error, `permission for ${peer}`).toBe(403);
      }

      // user-quota=2: a third allocation with one credential is refused (486 Allocation Quota Reached).
      expect((await client().allocate(username, password)).result.error).toBeNull();
      expect((await client().allocate(username, password)).result.error).toBe(486);

      // A credential signed with another secret, or expired, gets nothing.
      const now = Math.floor(Date.now() / 1000);
      const forged = `${now + 600}:${citizen.id}`;
      expect((await client().allocate(forged, createHmac('sha1', 'not-the-broker-secret').update(forged).digest('base64'))).result.error).toBe(401);
      const expired = `${now - 5}:${citizen.id}`;
      expect((await client().allocate(expired, createHmac('sha1', SECRET).update(expired).digest('base64'))).result.error).toBe(401);
    } finally {
      for (const c of clients) c.close();
    }

    // coturn read every line of the file without complaint.
    await sleep(200);
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toContain('Default realm: bfp.test');
    expect(log).not.toMatch(/Bad configuration format|Wrong address format|CONFIG ERROR|Unknown option/i);
    // The only errors it logged are the refusals above: denied peers and bad credentials.
    const errors = log.split('\n').filter((l) => /ERROR/.test(l));
    expect(errors.filter((l) => !/A peer IP \S+ denied in the range|check_stun_auth: Cannot find credentials/.test(l))).toEqual([]);
    expect(log).toMatch(/A peer IP 10\.0\.0\.1 denied in the range: 10\.0\.0\.0-10\.255\.255\.255/);
    await stop(coturn.child);
  });

  it("the broker's /api/ice credentials verify against the printed static-auth-secret with coturn's REST formula", SLOW, async () => {
    const env = { TURN_SECRET: SECRET, TURN_URLS: 'turn:turn.bfp.example:3478?transport=udp', TURN_TTL: '600' };
    const printed = await runCli(CLI, [], env);
    expect(printed.code).toBe(0);
    const [secret] = values(printed.stdout, 'static-auth-secret');
    const broker = await startBroker({ env });
    const { id } = citizenCredentials();
    const now = Math.floor(Date.now() / 1000);
    const body = (await (await broker.http(`/api/ice?id=${id}`)).json()) as IceConfig;
    const { username, credential } = body.iceServers[0] as { username: string; credential: string };
    const [expiry, user] = username.split(':') as [string, string];
    // coturn (use-auth-secret): the user name's first field is the expiry, the password base64(HMAC-SHA1(secret, user name)).
    expect(user).toBe(id);
    expect(Number(expiry)).toBeGreaterThan(now);
    expect(Number(expiry)).toBeLessThanOrEqual(now + 600 + 2);
    expect(credential).toBe(createHmac('sha1', secret as string).update(username).digest('base64'));
  });
});
