import { createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import { parsePeerId } from '../../src/shared/ids.ts';
import type { IceConfig } from '../../src/shared/presence.ts';

export interface TurnSettings {
  urls: string[];
  secret: string;
  ttl: number;
}

/** coturn's REST credentials: username `<expiry>:<user>`, password base64(HMAC-SHA1(secret, username)). */
export function turnCredential(secret: string, user: string, expiresAt: number): { username: string; credential: string } {
  const username = `${expiresAt}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/**
 * GET /api/ice?id=<peer id> — the only ICE servers a client uses. Empty by
 * default (a LAN needs none); TURN with short-lived credentials when configured.
 */
export function iceHandler(turn: TurnSettings | null, now: () => number = Date.now) {
  return (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!turn) {
      res.json({ iceServers: [], ttl: 86_400 } satisfies IceConfig);
      return;
    }
    const id = typeof req.query.id === 'string' && parsePeerId(req.query.id) ? req.query.id : 'anonymous';
    const expiresAt = Math.floor(now() / 1000) + turn.ttl;
    res.json({ iceServers: [{ urls: turn.urls, ...turnCredential(turn.secret, id, expiresAt) }], ttl: turn.ttl } satisfies IceConfig);
  };
}
