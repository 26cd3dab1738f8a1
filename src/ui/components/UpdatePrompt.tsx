import { useObservable } from '../hooks.ts';
import type { AppUpdates } from '../../pwa/index.ts';

/** "Update available" and "Ready to work offline", in one polite live region. */
export function UpdatePrompt({ updates }: { updates: AppUpdates }) {
  useObservable(updates);
  return (
    <div class="pwa-status" role="status">
      {updates.update !== 'none' && (
        <p class="pwa-note">
          <span>
            Update available.
            {updates.update === 'deferred' && ' The update will be applied when the call ends.'}
            {updates.update === 'applying' && ' Updating…'}
          </span>
          {updates.update === 'available' && (
            <button type="button" onClick={() => void updates.applyUpdate()}>
              Update now
            </button>
          )}
        </p>
      )}
      {updates.offlineReady && (
        <p class="pwa-note">
          <span>Ready to work offline.</span>
          <button type="button" aria-label="Dismiss: ready to work offline" onClick={() => updates.dismissOfflineReady()}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  );
}
