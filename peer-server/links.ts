import type { Config } from './config.ts';
import { mintToken, type MintOptions } from './tokens.ts';

/** The sign-in link carries the token in the fragment, which browsers never send to a server. */
export function signInUrl(base: string, role: 'station' | 'officer', token: string): string {
  return `${base}/${role}#token=${token}`;
}

export function baseUrl(config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  return `${config.tls ? 'https' : 'http'}://localhost:${config.port}`;
}

export async function mintLink(secret: Uint8Array, base: string, opts: MintOptions): Promise<{ token: string; url: string }> {
  const token = await mintToken(secret, opts);
  return { token, url: signInUrl(base, opts.role, token) };
}
