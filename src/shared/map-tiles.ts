/**
 * The map's tile source: a URL template a station may configure
 * (MAP_TILE_URL), checked by the broker when it starts and by the app when it
 * reads /api/config, so a bad template never reaches either.
 */

/** What GET /api/config answers. */
export interface MapConfig {
  /** e.g. https://tiles.example.lan/{z}/{x}/{y}.png, or null for a plain map. */
  mapTileUrl: string | null;
}

const PLACEHOLDERS = ['{z}', '{x}', '{y}'] as const;
const MAX_TEMPLATE_LENGTH = 2048;
/** A DNS name or IPv4 address (URL parsing lowercases and punycodes it), or a bracketed IPv6 address. */
const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/;

/** Why `template` is not a usable tile URL template, or null when it is. */
export function tileTemplateProblem(template: string): string | null {
  if (template.length > MAX_TEMPLATE_LENGTH) return `is longer than ${MAX_TEMPLATE_LENGTH} characters`;
  const missing = PLACEHOLDERS.filter((p) => !template.includes(p));
  if (missing.length > 0) return `must contain ${PLACEHOLDERS.join(', ')} (missing ${missing.join(', ')})`;
  const sample = PLACEHOLDERS.reduce((url, p) => url.replaceAll(p, '0'), template);
  const unknown = /\{[^}]*\}/.exec(sample);
  if (unknown) return `has an unsupported placeholder ${unknown[0]} (only {z}, {x} and {y} are replaced)`;
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an http: or https: URL, not ${url.protocol}`;
  if (url.username || url.password) return 'must not carry a user name or password';
  // The origin goes into the Content-Security-Policy: a host with ; , ' or * in it would rewrite the policy.
  if (!HOST.test(url.hostname)) return `has a host name that is not a plain DNS name or IP address: ${url.hostname}`;
  return null;
}

/** The origin tiles come from (for the Content-Security-Policy). `template` must be valid. */
export function tileOrigin(template: string): string {
  return new URL(PLACEHOLDERS.reduce((url, p) => url.replaceAll(p, '0'), template)).origin;
}

/** Reads an /api/config answer; anything unexpected means no tiles. */
export function parseMapConfig(body: unknown): MapConfig {
  const url = typeof body === 'object' && body !== null ? (body as { mapTileUrl?: unknown }).mapTileUrl : null;
  return { mapTileUrl: typeof url === 'string' && tileTemplateProblem(url) === null ? url : null };
}
