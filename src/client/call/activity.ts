/**
 * Whether any call on this page is in progress. The update prompt waits on it:
 * a new version is never applied in the middle of a call.
 */
let active = 0;
const listeners = new Set<(busy: boolean) => void>();

export function setCallsActive(count: number): void {
  const was = active > 0;
  active = count;
  if (was !== active > 0) for (const l of listeners) l(active > 0);
}

export function callsActive(): boolean {
  return active > 0;
}

/** Resolves once no call is in progress (at once if none is). */
export function whenIdle(): Promise<void> {
  if (active === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const l = (busy: boolean) => {
      if (busy) return;
      listeners.delete(l);
      resolve();
    };
    listeners.add(l);
  });
}

export function onCallActivity(listener: (busy: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
