import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.ts';

/** Loads a screen's code on demand (staff screens), without pulling in preact/compat. */
export function Lazy({ load }: { load: () => Promise<ComponentType> }) {
  const [Screen, setScreen] = useState<ComponentType | null>(null);
  const [failed, setFailed] = useState(false);
  const t = useT();
  useEffect(() => {
    load().then(
      (c) => setScreen(() => c),
      () => setFailed(true),
    );
  }, [load]);
  if (failed) return <p role="alert">{t('app.loadFailed')}</p>;
  return Screen ? <Screen /> : <p class="loading">{t('app.loading')}</p>;
}
