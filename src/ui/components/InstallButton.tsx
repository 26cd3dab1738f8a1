import { useObservable } from '../hooks.ts';
import type { InstallOffer } from '../../pwa/index.ts';
import { useT } from '../i18n/index.ts';

/** Shown once the browser offers to install the app. */
export function InstallButton({ offer }: { offer: InstallOffer }) {
  useObservable(offer);
  const t = useT();
  if (!offer.available) return null;
  return (
    <button type="button" class="install" onClick={() => void offer.install()}>
      {t('pwa.install')}
    </button>
  );
}
