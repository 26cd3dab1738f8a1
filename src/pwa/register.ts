/**
 * Registers the service worker (sw.js, built by vite-plugin-pwa) through
 * workbox-window and reports its lifecycle to AppUpdates. workbox-window is
 * loaded after the page has loaded and gone idle: a caller never waits for it.
 */
import type { AppUpdates } from './updates.ts';

/** Long-lived screens (a console on a tablet) look for a new version this often. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

function afterLoadAndIdle(run: () => void): void {
  const idle = () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout: 2000 }) : setTimeout(run, 200));
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}

export function registerServiceWorker(updates: AppUpdates): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  afterLoadAndIdle(() => {
    void import('workbox-window')
      .then(async ({ Workbox }) => {
        const wb = new Workbox('/sw.js', { scope: '/' });
        // A controller change is a new version taking over only when something controlled the page before:
        // the first install also claims the page (clientsClaim), and that is no reason to reload.
        let controlled = navigator.serviceWorker.controller !== null;
        wb.addEventListener('activated', (event) => {
          if (!event.isUpdate && !event.isExternal) updates.installedFirstTime();
        });
        wb.addEventListener('waiting', () => updates.newVersionWaiting({ skipWaiting: () => wb.messageSkipWaiting() }));
        wb.addEventListener('controlling', () => {
          if (controlled) updates.newVersionInControl();
          controlled = true;
        });
        await wb.register({ immediate: true });
        setInterval(() => void wb.update().catch(() => undefined), UPDATE_CHECK_MS);
      })
      .catch((err: unknown) => console.warn('service worker registration failed:', err));
  });
}
