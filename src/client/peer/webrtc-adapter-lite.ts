/**
 * Stands in for `webrtc-adapter` in the bundle (see vite.config.ts). PeerJS
 * reads only `browserDetails` from it, to refuse browsers too old for WebRTC;
 * the adapter's shims polyfill APIs that every browser PeerJS accepts already
 * has, and cost the citizen screen about 10 KB gzipped. Detection follows the
 * adapter's own rules.
 */
export interface BrowserDetails {
  browser: 'chrome' | 'firefox' | 'safari' | 'unknown';
  version: number | null;
}

export function detectBrowser(userAgent: string, hasMozGetUserMedia: boolean, hasWebkitGetUserMedia: boolean): BrowserDetails {
  const version = (re: RegExp) => {
    const m = re.exec(userAgent);
    return m?.[1] ? Number.parseInt(m[1], 10) : null;
  };
  if (hasMozGetUserMedia) return { browser: 'firefox', version: version(/Firefox\/(\d+)\./) };
  const chrome = version(/Chrom(?:e|ium)\/(\d+)\./);
  if (hasWebkitGetUserMedia && chrome !== null) return { browser: 'chrome', version: chrome };
  const webkit = version(/AppleWebKit\/(\d+)\./);
  if (webkit !== null) return { browser: 'safari', version: webkit };
  return { browser: 'unknown', version: null };
}

const nav = typeof navigator === 'undefined' ? null : (navigator as Navigator & { mozGetUserMedia?: unknown; webkitGetUserMedia?: unknown });

const adapter = {
  browserDetails: detectBrowser(nav?.userAgent ?? '', Boolean(nav?.mozGetUserMedia), Boolean(nav?.webkitGetUserMedia)),
};

export default adapter;
