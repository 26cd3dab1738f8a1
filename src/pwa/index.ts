/**
 * The installable, offline app: service-worker registration, updates and the
 * install offer, as state the UI renders. The UI never talks to the worker.
 */
import { callsActive, whenIdle } from '../client/call/activity.ts';
import { InstallOffer } from './install.ts';
import { registerServiceWorker } from './register.ts';
import { AppUpdates, type OnceMemory } from './updates.ts';

export { AppUpdates, type UpdateState } from './updates.ts';
export { InstallOffer, type InstallOutcome } from './install.ts';

/** localStorage key: "Ready to work offline" was shown on this device. */
export const OFFLINE_READY_KEY = 'bfp-offline-ready-shown';

function localStorageOnce(key: string): OnceMemory {
  return {
    seen: () => {
      try {
        return localStorage.getItem(key) !== null;
      } catch {
        return false;
      }
    },
    remember: () => {
      try {
        localStorage.setItem(key, new Date().toISOString());
      } catch {
        // Storage refused (private mode): the note may show again, no harm.
      }
    },
  };
}

/** Updates of the app: "Update available", applied never during a call; "Ready to work offline" once. */
export const appUpdates = new AppUpdates({
  calls: { callsActive, whenIdle },
  offlineReadyShown: localStorageOnce(OFFLINE_READY_KEY),
  reload: () => location.reload(),
});

/** The browser's install offer, for the "Install app" button. */
export const installOffer = new InstallOffer();

/** Call once, early (before the load event), from the entry point. */
export function startPwa(): void {
  installOffer.listen(window);
  registerServiceWorker(appUpdates);
}
