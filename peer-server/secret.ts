import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The token secret lives in the data folder, generated on first start and
 * readable only by its owner, so tokens survive restarts and the CLI mints
 * tokens the server accepts.
 */
export function loadOrCreateSecret(dataDir: string): Uint8Array {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'token-secret');
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    const key = Buffer.from(text, 'base64url');
    if (key.length < 32) throw new Error(`${file} holds fewer than 256 bits; delete it to generate a new one`);
    return new Uint8Array(key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  // 'wx' refuses to overwrite a secret that another process wrote meanwhile.
  try {
    fs.writeFileSync(file, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecret(dataDir);
    throw err;
  }
  return new Uint8Array(key);
}
