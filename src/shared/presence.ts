/** Shape of GET /api/presence, shared by the broker and the app. */
export interface Presence {
  /** Online console peer ids by station id. */
  stations: Record<string, string[]>;
  /** Online officers; only present for a staff caller. */
  officers?: { id: string; station: string; name: string }[];
}

/** Shape of GET /api/ice. */
export interface IceConfig {
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  /** Seconds the credentials stay valid. */
  ttl: number;
}
