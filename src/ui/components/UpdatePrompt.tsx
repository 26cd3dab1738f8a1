import { useObservable } from '../hooks.ts';
import type { AppUpdates } from '../../pwa/index.ts';
import { useT } from '../i18n/index.ts';

/** "Update available" and "Ready to work offline", in one polite live region. */
export function UpdatePrompt({ updates }: { updates: AppUpdates }) {
  useObservable(updates);
  const t = useT();
  return (
    <div class="pwa-status" role="status">
      {updates.update !== 'none' && (
        <p class="pwa-note">
          <span>
            {t('pwa.updateAvailable')}
            {updates.update === 'deferred' && ` ${t('pwa.updateDeferred')}`}
            {updates.update === 'applying' && ` ${t('pwa.updating')}`}
          </span>
          {updates.update === 'available' && (
            <button type="button" onClick={() => void updates.applyUpdate()}>
              {t('pwa.updateNow')}
            </button>
          )}
        </p>
      )}
      {updates.offlineReady && (
        <p class="pwa-note">
          <span>{t('pwa.offlineReady')}</span>
          <button type="button" aria-label={t('pwa.dismissOfflineReady')} onClick={() => updates.dismissOfflineReady()}>
            {t('pwa.dismiss')}
          </button>
        </p>
      )}
    </div>
  );
}
