import { describe, expect, it } from 'vitest';
import { detectBrowser } from '../../../../src/client/peer/webrtc-adapter-lite.ts';

/** PeerJS refuses browsers by these details: each real browser must be recognised as webrtc-adapter would. */
describe('browser detection for PeerJS', () => {
  it('recognises desktop and Android Chrome (and Chromium-based Edge) with their major version', () => {
    const ua = 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36';
    expect(detectBrowser(ua, false, true)).toEqual({ browser: 'chrome', version: 131 });
    const edge = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0';
    expect(detectBrowser(edge, false, true)).toEqual({ browser: 'chrome', version: 130 });
  });

  it('recognises Firefox by its mozGetUserMedia', () => {
    expect(detectBrowser('Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0', true, false)).toEqual({ browser: 'firefox', version: 132 });
  });

  it('treats iPhone browsers, Chrome on iOS included, as Safari by their WebKit version', () => {
    const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    expect(detectBrowser(safari, false, false)).toEqual({ browser: 'safari', version: 605 });
    const crios = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1';
    expect(detectBrowser(crios, false, false)).toEqual({ browser: 'safari', version: 605 });
  });

  it('says unknown for anything else, which PeerJS then refuses', () => {
    expect(detectBrowser('curl/8.0', false, false)).toEqual({ browser: 'unknown', version: null });
  });
});
