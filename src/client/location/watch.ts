/**
 * Keeps a GPS watch running while a screen is open, so a call never waits for
 * a fix: it starts with the last known position and sends updates as they come.
 */
import type { Position } from '../../shared/protocol.ts';

export type LocationProblem = 'denied' | 'unavailable' | 'unsupported';

export interface LocationState {
  position: Position | null;
  problem: LocationProblem | null;
}

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** Turns a browser fix into a protocol position, or null if it is unusable (NaN and the like). */
export function toPosition(fix: GeolocationPosition): Position | null {
  const { latitude, longitude, accuracy, heading, speed } = fix.coords;
  if (!finite(latitude) || !finite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return {
    lat: latitude,
    lng: longitude,
    accuracy: finite(accuracy) && accuracy >= 0 ? Math.min(accuracy, 1e7) : 1e4,
    heading: finite(heading) && heading >= 0 && heading <= 360 ? heading : null,
    speed: finite(speed) && speed >= 0 && speed <= 1000 ? speed : null,
    fixTime: finite(fix.timestamp) && fix.timestamp > 0 ? fix.timestamp : Date.now(),
  };
}

export class LocationWatch {
  state: LocationState = { position: null, problem: null };
  private watchId: number | null = null;
  private readonly listeners = new Set<(state: LocationState) => void>();

  start(): void {
    if (this.watchId !== null) return;
    if (!('geolocation' in navigator)) {
      this.update({ position: null, problem: 'unsupported' });
      return;
    }
    this.watchId = navigator.geolocation.watchPosition(
      (fix) => {
        const position = toPosition(fix);
        if (position) this.update({ position, problem: null });
      },
      (err) => this.update({ position: this.state.position, problem: err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable' }),
      { enableHighAccuracy: true, maximumAge: 5000 },
    );
  }

  stop(): void {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = null;
  }

  subscribe(listener: (state: LocationState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(state: LocationState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

/** Great-circle distance in metres. */
export function distanceMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function formatDistance(metres: number): string {
  return metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(metres < 10_000 ? 1 : 0)} km`;
}
