/**
 * One live screen per device: a second tab of the same screen would fight the
 * first for its peer id. The second tab says so and can take over.
 */
export type TabLock = { held: true; lost: Promise<void> } | { held: false };

export function acquireTabLock(screen: string, steal = false): Promise<TabLock> {
  if (!('locks' in navigator)) return Promise.resolve({ held: true, lost: new Promise<void>(() => {}) });
  return new Promise((resolve) => {
    let release: () => void = () => {};
    const lost = new Promise<void>((r) => (release = r));
    const options: LockOptions = steal ? { steal: true } : { ifAvailable: true };
    navigator.locks
      .request(`bfp-screen-${screen}`, options, (lock) => {
        if (!lock) {
          resolve({ held: false });
          return undefined;
        }
        resolve({ held: true, lost });
        // Held for the page's life, until another tab steals it.
        return new Promise<void>(() => {});
      })
      .catch(() => release());
  });
}
