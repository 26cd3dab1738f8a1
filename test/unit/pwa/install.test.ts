/**
 * The "Install app" offer: kept from the browser's beforeinstallprompt, used
 * at most once, gone once the app is installed.
 */
import { describe, expect, it } from 'vitest';
import { InstallOffer } from '../../../src/pwa/install.ts';

function promptEvent(outcome: 'accepted' | 'dismissed') {
  const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompted: number };
  event.prompted = 0;
  Object.assign(event, {
    prompt: async () => void (event.prompted += 1),
    userChoice: Promise.resolve({ outcome, platform: 'web' }),
  });
  return event;
}

describe('install offer', () => {
  it('keeps the browser’s offer (no mini-infobar) and shows its dialog once on install()', async () => {
    const window = new EventTarget();
    const offer = new InstallOffer();
    offer.listen(window);
    expect(offer.available).toBe(false);

    const event = promptEvent('accepted');
    window.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    expect(offer.available).toBe(true);

    expect(await offer.install()).toBe('accepted');
    expect(event.prompted).toBe(1);
    expect(offer.available).toBe(false);
    expect(await offer.install()).toBe('unavailable');
  });

  it('drops the offer once the app is installed another way', () => {
    const window = new EventTarget();
    const offer = new InstallOffer();
    offer.listen(window);
    window.dispatchEvent(promptEvent('dismissed'));
    window.dispatchEvent(new Event('appinstalled'));
    expect(offer.available).toBe(false);
  });
});
