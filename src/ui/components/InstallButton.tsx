import { useObservable } from '../hooks.ts';
import type { InstallOffer } from '../../pwa/index.ts';

/** Shown once the browser offers to install the app. */
export function InstallButton({ offer }: { offer: InstallOffer }) {
  useObservable(offer);
  if (!offer.available) return null;
  return (
    <button type="button" class="install" onClick={() => void offer.install()}>
      Install app
    </button>
  );
}
