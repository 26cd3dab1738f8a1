/**
 * Registers the service worker (sw.js, built by vite-plugin-pwa) through
 * workbox-window and reports its lifecycle to AppUpdates.
 */
import { whenIdle } from '../client/call/activity.ts';
import type { AppUpdates } from './updates.ts';

/** Long-lived screens (a console on a tablet) look for a new version this often. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;
/** After the load event: the screen's own start-up comes first. */
const SETTLE_MS = 3000;
/** A returning visit's wait after the load event: the screen is usable by then, and a call just placed is announced updates. */
const RETURNING_SETTLE_MS = 1000;

/**
 * A first visit's install downloads the whole precache (hundreds of kB), which
 * must not compete with the caller: it waits until the page has loaded, settled
 * and gone idle, and no call is in progress. A returning visit already has its
 * worker, so workbox-window attaches a second after the page has loaded (once
 * "Call BFP" is usable, not before), also during a call: a new
 * version found then is announced, and AppUpdates applies it only once no call
 * is in progress.
 */
function whenSettled(run: () => void): void {
  const idle = (timeout: number) => () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout }) : setTimeout(run, 0));
  const settle = navigator.serviceWorker.controller
    ? () => setTimeout(idle(1000), RETURNING_SETTLE_MS)
    : () => setTimeout(() => void whenIdle().then(idle(2000)), SETTLE_MS);
  if (document.readyState === 'complete') settle();
  else addEventListener('load', settle, { once: true });
}

export function registerServiceWorker(updates: AppUpdates): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  whenSettled(() => {
    void import('workbox-window')
      .then(async ({ Workbox }) => {
        const wb = new Workbox('/sw.js', { scope: '/' });
        // A controller change is a new version taking over only when something controlled the page before:
        // the first install also claims the page (clientsClaim), and that is no reason to reload.
        let controlled = navigator.serviceWorker.controller !== null;
        wb.addEventListener('activated', (event) => {
          if (!event.isUpdate && !event.isExternal) updates.installedFirstTime();
        });
        const waiting = { skipWaiting: () => wb.messageSkipWaiting() };
        wb.addEventListener('waiting', () => updates.newVersionWaiting(waiting));
        wb.addEventListener('controlling', () => {
          if (controlled) updates.newVersionInControl();
          controlled = true;
        });
        const registration = await wb.register({ immediate: true });
        // The browser's own check on navigation may have found a new version before this registration ran:
        // workbox-window reports one already waiting, but not one still installing.
        const installing = registration?.installing;
        if (installing && controlled) {
          installing.addEventListener('statechange', () => {
            if (installing.state === 'installed' && registration?.waiting === installing) updates.newVersionWaiting(waiting);
          });
        }
        setInterval(() => void wb.update().catch(() => undefined), UPDATE_CHECK_MS);
      })
      .catch((err: unknown) => console.warn('service worker registration failed:', err));
  });
}
