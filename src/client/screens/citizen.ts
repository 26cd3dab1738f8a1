/**
 * The citizen's side: one tap rings the nearest staffed station, with the
 * position already known, and keeps sending fixes as they come.
 */
import type { Directory } from '../../shared/directory.ts';
import type { Position } from '../../shared/protocol.ts';
import type { Presence } from '../../shared/presence.ts';
import { cachedDirectory, fetchPresence, syncDirectory } from '../api.ts';
import { isActive } from '../call/machine.ts';
import { Phone } from '../call/phone.ts';
import type { CallSession } from '../call/session.ts';
import { rankStations, ringGroups, type RankedStation } from '../call/stations.ts';
import { LocationWatch, type LocationState } from '../location/watch.ts';
import { citizenCredentials } from '../peer/credentials.ts';
import { PeerLink, type BrokerStatus } from '../peer/link.ts';
import { getSetting, setSetting, type CallRecord, type OutboxRecord } from '../store/db.ts';
import { listCalls } from '../store/history.ts';
import { listOutbox, queueSos } from '../store/reports.ts';
import { ReportDelivery } from '../call/report-delivery.ts';
import { newCallId } from '../call/session.ts';
import { Observable } from './store.ts';
import { linkOptions, type ScreenSettings } from './settings.ts';

const PRESENCE_REFRESH_MS = 10_000;
/** A presence snapshot this fresh is rung from at once; an older one is checked again first… */
const SNAPSHOT_TRUSTED_MS = 5000;
/** …for at most this long before the older snapshot is used anyway. */
const PRESENCE_WAIT_MS = 1000;
/** How long a tap waits for a broker that is still connecting before it becomes an offline SOS. */
const BROKER_WAIT_MS = 4000;

export interface Profile {
  name: string;
  phone: string;
}

const isProfile = (v: unknown): v is Profile =>
  typeof v === 'object' && v !== null && typeof (v as Profile).name === 'string' && typeof (v as Profile).phone === 'string';

export class CitizenApp extends Observable {
  profile: Profile | null = null;
  profileLoaded = false;
  broker: BrokerStatus = { name: 'connecting' };
  location: LocationState = { position: null, problem: null };
  directory: Directory | null = null;
  /** Stations by distance, with their online consoles, as of the last check. */
  stations: RankedStation[] = [];
  preferredStation: string | null = null;
  phone: Phone | null = null;
  link: PeerLink | null = null;
  /** Why the last call could not be placed, in words. */
  problem: 'offline' | 'no-station' | null = null;
  /** True from the tap until the ring starts (the presence check). */
  finding = false;
  /** The last SOS could not be stored on this device (its storage failed or is full). */
  sosNotSaved = false;
  /** SOS reports written on this device, newest first. */
  outbox: OutboxRecord[] = [];
  history: CallRecord[] = [];
  private delivery: ReportDelivery | null = null;
  private deliveryTimer: ReturnType<typeof setInterval> | null = null;
  private readonly watch = new LocationWatch();
  private seq = 0;
  private positionTimer: ReturnType<typeof setInterval> | null = null;
  private presenceTimer: ReturnType<typeof setInterval> | null = null;
  /** Which consoles were online at the last check, so a tap rings without waiting for a fetch. */
  private presence: { value: Presence; at: number } | null = null;
  /** Settles once the phone exists (or start failed): a tap made before then is held, not lost. */
  private readonly ready: Promise<void>;
  private settleReady: (error?: unknown) => void = () => {};
  /** Taps waiting for the broker to come online. */
  private readonly onlineWaiters = new Set<(status: BrokerStatus) => void>();

  constructor(private readonly settings: ScreenSettings) {
    super();
    this.ready = new Promise((resolve, reject) => (this.settleReady = (error) => (error === undefined ? resolve() : reject(error))));
    this.ready.catch(() => undefined);
  }

  async start(): Promise<void> {
    try {
      await this.boot();
      this.settleReady();
    } catch (err) {
      this.settleReady(err ?? new Error('start failed'));
      throw err;
    }
  }

  private async boot(): Promise<void> {
    // A handle for debugging and for tests that read WebRTC stats.
    (window as { bfp?: unknown }).bfp = this;
    this.watch.subscribe((state) => this.onLocation(state));
    this.watch.start();
    // A phone whose storage fails must still be able to call: what cannot be read is simply not known.
    this.profile = (await getSetting('profile', isProfile).catch(() => undefined)) ?? null;
    this.profileLoaded = true;
    this.directory = await cachedDirectory().catch(() => null);
    this.notify();
    void syncDirectory()
      .then((d) => {
        if (d) this.directory = d;
        this.notify();
      })
      .catch(() => undefined);
    const credentials = await citizenCredentials();
    const link = new PeerLink(credentials, {
      onStatus: (status) => {
        this.broker = status;
        if (status.name === 'online') {
          void this.refreshPresence();
          void this.delivery?.run();
        }
        for (const wake of this.onlineWaiters) wake(status);
        this.notify();
      },
      onConnection: (conn) => this.phone?.incoming(conn),
      onCall: (call) => this.phone?.incomingMedia(call),
      onUnavailable: (id) => {
        this.phone?.peerUnavailable(id);
        this.delivery?.peerUnavailable(id);
      },
    }, linkOptions(this.settings));
    this.link = link;
    this.phone = new Phone(link, {
      bitrate: this.settings.bitrate,
      ringTimeoutMs: this.settings.ringTimeoutMs,
      scope: 'citizen',
      onChange: () => {
        this.notify();
        void this.loadHistory();
      },
    });
    this.delivery = new ReportDelivery(link, () => this.directory, () => this.location.position, () => void this.loadOutbox());
    await Promise.all([this.loadOutbox(), this.loadHistory()]).catch(() => undefined);
    this.deliveryTimer = setInterval(() => {
      if (this.outbox.some((r) => r.status === 'waiting')) void this.delivery?.run();
    }, 5000);
    link.start();
    this.positionTimer = setInterval(() => this.sendPosition(), 1000);
    this.presenceTimer = setInterval(() => void this.refreshPresence(), PRESENCE_REFRESH_MS);
    window.addEventListener('online', () => link.retryNow());
  }

  private async loadOutbox(): Promise<void> {
    this.outbox = await listOutbox();
    this.notify();
  }

  private historyLoading = false;
  private async loadHistory(): Promise<void> {
    if (this.historyLoading) return;
    this.historyLoading = true;
    try {
      this.history = await listCalls('citizen');
    } finally {
      this.historyLoading = false;
    }
    this.notify();
  }

  /**
   * Keeps an SOS on the device until a station console acknowledges it. A
   * note added later goes into the report still waiting, not a second one.
   */
  async queueSos(note = ''): Promise<void> {
    try {
      await queueSos({
        id: newCallId(),
        name: this.profile?.name ?? '',
        phone: this.profile?.phone ?? '',
        position: this.location.position,
        note,
        createdAt: Date.now(),
      });
      this.sosNotSaved = false;
    } catch (err) {
      this.sosNotSaved = true;
      this.notify();
      throw err;
    }
    await this.loadOutbox();
    void this.delivery?.run();
  }

  async saveProfile(profile: Profile): Promise<void> {
    this.profile = { name: profile.name.trim().slice(0, 80), phone: profile.phone.trim().slice(0, 32) };
    this.notify();
    // If the phone cannot store it, the name and number still go with this session's calls.
    await setSetting('profile', this.profile).catch(() => undefined);
  }

  private async refreshPresence(): Promise<Presence | null> {
    if (document.visibilityState === 'hidden' && this.presence) return this.presence.value;
    const value = await fetchPresence();
    if (value) this.presence = { value, at: Date.now() };
    return value;
  }

  private onLocation(state: LocationState): void {
    const moved = state.position && state.position !== this.location.position;
    this.location = state;
    if (moved) this.sendPosition();
    this.notify();
  }

  private sendPosition(): void {
    const position: Position | null = this.location.position;
    if (!position || !this.phone) return;
    if (!this.phone.sessions.some((s) => isActive(s.state))) return;
    this.seq += 1;
    this.phone.broadcastPosition(position, this.seq);
  }

  current(): CallSession | null {
    const sessions = this.phone?.sessions ?? [];
    return sessions.find((s) => isActive(s.state)) ?? sessions.at(-1) ?? null;
  }

  /** "Call BFP": rings at once with the position already known; never waits for a fix. */
  async callBfp(): Promise<void> {
    if (this.finding || this.phone?.sessions.some((s) => isActive(s.state) && s.direction === 'out')) return;
    this.problem = null;
    this.finding = true;
    this.notify();
    try {
      await this.place();
    } finally {
      this.finding = false;
      this.notify();
    }
  }

  private async place(): Promise<void> {
    const started = await this.ready.then(
      () => true,
      () => false,
    );
    const phone = this.phone;
    const online = started && phone !== null && (await this.brokerOnline());
    const snapshot = this.presence && Date.now() - this.presence.at < SNAPSHOT_TRUSTED_MS ? this.presence.value : null;
    const [presence, directory] = await Promise.all([
      online ? (snapshot ?? this.freshPresence()) : null,
      this.directory ?? syncDirectory().catch(() => null),
    ]);
    if (directory) this.directory = directory;
    this.finding = false;
    if (!online || !presence || !this.directory || !phone) {
      this.problem = 'offline';
      this.stations = this.directory ? rankStations(this.directory, { stations: {} }, this.location.position, this.preferredStation) : [];
      this.notify();
      // The tap was an SOS: keep it until a station can receive it (a failure to store it is shown).
      await this.queueSos().catch(() => undefined);
      return;
    }
    const position = this.location.position;
    this.stations = rankStations(this.directory, presence, position, this.preferredStation);
    let groups = ringGroups(this.stations);
    if (groups.length === 0 && snapshot) {
      // The snapshot may predate a console coming online: check again before giving up.
      const fresh = await this.refreshPresence();
      if (fresh) this.stations = rankStations(this.directory, fresh, position, this.preferredStation);
      groups = ringGroups(this.stations);
    }
    if (groups.length === 0) {
      this.problem = 'no-station';
      this.notify();
      await this.queueSos().catch(() => undefined);
      return;
    }
    phone.dial(groups, {
      role: 'citizen',
      name: this.profile?.name ?? '',
      phone: this.profile?.phone ?? '',
      position,
      sentAt: Date.now(),
    });
    this.notify();
  }

  /**
   * True once the broker is reachable. A tap while the link is still
   * connecting (the app just opened) or waiting to retry gets a prompt retry
   * and a few seconds, rather than being taken for "no network".
   */
  private brokerOnline(): Promise<boolean> {
    const status = this.broker.name;
    if (status === 'online') return Promise.resolve(true);
    if (status === 'refused' || !navigator.onLine) return Promise.resolve(false);
    return new Promise((resolve) => {
      // An attempt that ends offline again has failed (e.g. the broker is down): no point waiting longer.
      let attempting = status === 'connecting';
      const done = () => {
        clearTimeout(timer);
        this.onlineWaiters.delete(watch);
        resolve(this.broker.name === 'online');
      };
      const watch = (next: BrokerStatus) => {
        if (next.name === 'connecting') attempting = true;
        else if (next.name !== 'offline' || attempting) done();
      };
      const timer = setTimeout(done, BROKER_WAIT_MS);
      this.onlineWaiters.add(watch);
      this.link?.retryNow();
    });
  }

  /** Who is online now; the last snapshot if the check is slow (a weak network), so the ring is not held long. */
  private async freshPresence(): Promise<Presence | null> {
    const stale = this.presence?.value ?? null;
    const fresh = this.refreshPresence();
    const slow = new Promise<null>((resolve) => setTimeout(() => resolve(null), PRESENCE_WAIT_MS));
    return (await Promise.race([fresh, slow])) ?? stale ?? (await fresh);
  }

  choosePreferredStation(id: string | null): void {
    this.preferredStation = id;
    this.notify();
  }

  stop(): void {
    this.watch.stop();
    if (this.positionTimer) clearInterval(this.positionTimer);
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    if (this.deliveryTimer) clearInterval(this.deliveryTimer);
    this.link?.stop();
  }
}
