/**
 * The browser's offer to install the app (`beforeinstallprompt`), kept for
 * an "Install app" button instead of the browser's own mini-infobar.
 */
import { Observable } from '../client/screens/store.ts';

/** Chromium's event; not in TypeScript's DOM library. */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>;
}

export type InstallOutcome = 'accepted' | 'dismissed' | 'unavailable';

export class InstallOffer extends Observable {
  private offer: BeforeInstallPromptEvent | null = null;

  /** The browser offered installation and it has not been used yet. */
  get available(): boolean {
    return this.offer !== null;
  }

  /** Starts listening on `target` (the window): call before the page's load event. */
  listen(target: EventTarget): void {
    target.addEventListener('beforeinstallprompt', (event) => {
      event.preventDefault();
      this.offer = event as BeforeInstallPromptEvent;
      this.notify();
    });
    target.addEventListener('appinstalled', () => this.take());
  }

  /** Shows the browser's install dialog; an offer can be shown only once. */
  async install(): Promise<InstallOutcome> {
    const offer = this.take();
    if (!offer) return 'unavailable';
    await offer.prompt();
    return (await offer.userChoice).outcome;
  }

  private take(): BeforeInstallPromptEvent | null {
    const offer = this.offer;
    this.offer = null;
    if (offer) this.notify();
    return offer;
  }
}
