/**
 * `npm run --silent token -- ...`: mints a staff token with the data folder's
 * secret and prints one JSON object with the sign-in link (token in the fragment).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecret } from '../../../peer-server/secret.ts';
import { verifyToken } from '../../../peer-server/tokens.ts';
import { openPeer, runCli, startBroker, tempDir } from '../harness.ts';

const TOKEN_CLI = 'peer-server/cli/token.ts';
const DAY = 86_400;
// Each case starts Node processes, which can take seconds on a busy machine.
const SLOW = { timeout: 60_000 };

describe('token command', () => {
  it('prints one JSON object with a station token and a link carrying it in the fragment; the server accepts it', SLOW, async () => {
    const dataDir = tempDir('bfp-data-');
    const now = Math.floor(Date.now() / 1000);
    // Exactly the documented command.
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('npm', ['run', '--silent', 'token', '--', '--role', 'station', '--station', 'qc-central', '--name', 'QC Central console'], { env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: 'https://station.lan:8443/' } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0] as string) as { token: string; url: string };
    expect(Object.keys(printed).sort()).toEqual(['token', 'url']);
    expect(printed.url).toBe(`https://station.lan:8443/station#token=${printed.token}`);
    expect(new URL(printed.url).search).toBe('');

    // Signed with the secret the command created in the data folder, readable by its owner only.
    expect(fs.statSync(path.join(dataDir, 'token-secret')).mode & 0o777).toBe(0o600);
    const verified = await verifyToken(loadOrCreateSecret(dataDir), printed.token);
    expect(verified).toMatchObject({ ok: true, claims: { role: 'station', sub: 'qc-central', station: 'qc-central', name: 'QC Central console' } });
    const exp = verified.ok ? verified.claims.exp : 0;
    expect(Math.abs(exp - (now + 30 * DAY))).toBeLessThan(60);

    // A broker on the same data folder lets the console in.
    const broker = await startBroker({ dataDir });
    const console1 = await openPeer(broker, { id: 'st-qc-central-tab1', token: printed.token });
    expect(console1.isOpen).toBe(true);
  });

  it('mints an officer token for --days days, with a link to the officer screen', SLOW, async () => {
    const dataDir = tempDir('bfp-data-');
    const now = Math.floor(Date.now() / 1000);
    const result = await runCli(TOKEN_CLI, ['--role', 'officer', '--officer', 'maria-santos', '--station', 'qc-cubao', '--name', 'Maria Santos', '--days', '2'], { DATA_DIR: dataDir, PORT: '9443' });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { token: string; url: string };
    expect(printed.url).toBe(`http://localhost:9443/officer#token=${printed.token}`);
    const verified = await verifyToken(loadOrCreateSecret(dataDir), printed.token);
    expect(verified).toMatchObject({ ok: true, claims: { role: 'officer', sub: 'maria-santos', station: 'qc-cubao', name: 'Maria Santos' } });
    expect(Math.abs((verified.ok ? verified.claims.exp : 0) - (now + 2 * DAY))).toBeLessThan(60);
  });

  it('refuses incomplete or invalid requests with a message and prints no token', SLOW, async () => {
    const dataDir = tempDir('bfp-data-');
    const cases: [string[], RegExp][] = [
      [['--role', 'station', '--station', 'qc-central'], /usage: npm run --silent token/],
      [['--role', 'officer', '--station', 'qc-central', '--name', 'x'], /needs --officer/],
      [['--role', 'station', '--station', 'QC Central', '--name', 'x'], /not a valid id/],
      [['--role', 'station', '--station', 'qc-central', '--name', 'x', '--days', '0'], /--days must be/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(TOKEN_CLI, args, { DATA_DIR: dataDir })));
    results.forEach((result, i) => {
      expect(result.code, cases[i]?.[0].join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(cases[i]?.[1] as RegExp);
    });
  });
});
