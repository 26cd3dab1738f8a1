import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { acquireTabLock } from '../../client/peer/tab-lock.ts';
import { useT } from '../i18n/index.ts';

/** Renders the screen only in the one tab that holds it; another tab says so and can take over. */
export function TabGate({ screen, children }: { screen: string; children: ComponentChildren }) {
  const [state, setState] = useState<'checking' | 'held' | 'elsewhere' | 'lost'>('checking');
  const t = useT();
  const take = (steal: boolean) =>
    acquireTabLock(screen, steal).then((lock) => {
      if (!lock.held) return setState('elsewhere');
      setState('held');
      void lock.lost.then(() => setState('lost'));
    });
  useEffect(() => {
    void take(false);
  }, []);
  if (state === 'held') return <>{children}</>;
  if (state === 'checking') return <p class="loading">{t('app.loading')}</p>;
  return (
    <main>
      <p role="alert">{state === 'lost' ? t('tab.lost') : t('tab.elsewhere')}</p>
      <button type="button" class="big" onClick={() => (state === 'lost' ? location.reload() : void take(true))}>
        {t('tab.useThis')}
      </button>
    </main>
  );
}
