/**
 * Runs once before the network project. These tests break the network on
 * purpose (iptables DROP rules, packet loss, a killed broker), so they must
 * run as root inside a private, loopback-only network namespace — the way
 * scripts/test.mjs runs them:
 *
 *   unshare -n sh -c 'ip link set lo up && exec npx vitest run --project network'
 *
 * Anywhere else the whole run fails here, loudly: these tests never skip.
 * Then the e2e setup runs (build freshness, Chromium).
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import e2eSetup from '../e2e/global-setup.ts';
import { NAMESPACE_HINT, assertLoopbackOnly } from './harness.ts';

const TOOLS: [command: string, debianPackage: string][] = [
  ['turnserver', 'coturn'],
  ['iptables', 'iptables'],
  ['ip', 'iproute2'],
];

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default function setup(project: TestProject): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`network tests need root (unshare -n, iptables): ${NAMESPACE_HINT}`);
  }
  const missing = [...new Set(TOOLS.filter(([command]) => !has(command)).map(([, pkg]) => pkg))];
  if (missing.length > 0) throw new Error(`network tests need these Debian packages: apt-get install -y ${missing.join(' ')}`);

  // `ip -o link` lists the links of this process's namespace: exactly one, lo, and up.
  const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).trim().split('\n');
  const names = links.map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '?');
  if (names.length !== 1 || names[0] !== 'lo') {
    throw new Error(`network tests must run in a loopback-only network namespace; this one has ${names.join(', ')} — ${NAMESPACE_HINT}`);
  }
  if (!/[<,]UP[,>]/.test(links[0] ?? '')) throw new Error(`lo is down in this namespace: run \`ip link set lo up\` first — ${NAMESPACE_HINT}`);
  assertLoopbackOnly();
  console.log('network: running as root in a loopback-only network namespace');

  e2eSetup(project);
}
