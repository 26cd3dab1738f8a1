/**
 * The console's call recordings: starting one shows the caller a notice, and
 * recording begins only once their app confirms the notice is on screen (they
 * see it for as long as it runs); stopping or the call ending keeps it on
 * this device with the call's history entry, beside earlier ones of the call.
 */
import { isActive } from '../call/machine.ts';
import { CallRecorder, callStreams, canRecord, remoteStream } from '../call/recorder.ts';
import { newCallId, type CallSession } from '../call/session.ts';
import type { RecordingRecord } from '../store/db.ts';
import { listRecordings, saveRecording } from '../store/recordings.ts';

/** How long the caller's app has to confirm the notice before the recording is given up. */
export const NOTICE_TIMEOUT_MS = 5000;

export class CallRecordings {
  /** Stored recordings of this scope, by call id, oldest first. */
  stored: ReadonlyMap<string, readonly RecordingRecord[]> = new Map();
  /** The last recording that failed, for the screen to say: it could not start, or could not be kept. */
  problem: 'start-failed' | 'notice-unseen' | 'save-failed' | null = null;
  private readonly running = new Map<string, { session: CallSession; recorder: CallRecorder; media: CallSession['media'] }>();
  /** Calls whose caller was sent the notice, by call id: the id of the notice awaiting confirmation. */
  private readonly awaiting = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly scope: () => string,
    private readonly changed: () => void,
  ) {}

  /** Recording is offered on calls in progress, where the browser can record. */
  canRecord(session: CallSession): boolean {
    return canRecord() && (session.state.name === 'connected' || session.state.name === 'reconnecting');
  }

  /** When the running recording of this call started, or null. */
  recordingSince(session: CallSession): number | null {
    return this.running.get(session.callId)?.recorder.startedAt ?? null;
  }

  /** True while the caller's app has not yet confirmed it shows the notice. */
  awaitingNotice(session: CallSession): boolean {
    return this.awaiting.has(session.callId);
  }

  /** Shows the caller the notice; recording starts once their app confirms it is on screen. */
  start(session: CallSession): void {
    if (this.running.has(session.callId) || this.awaiting.has(session.callId) || !this.canRecord(session)) return;
    const notice = newCallId();
    this.awaiting.set(session.callId, notice);
    this.problem = null;
    session.send({ type: 'recording', on: true, id: notice });
    this.changed();
    void session.acknowledged(notice, NOTICE_TIMEOUT_MS).then((seen) => this.noticeAnswered(session, notice, seen));
  }

  private noticeAnswered(session: CallSession, notice: string, seen: boolean): void {
    // Stopped, signed out or asked again meanwhile: this answer is stale.
    if (this.awaiting.get(session.callId) !== notice || this.closed) return;
    this.awaiting.delete(session.callId);
    if (!isActive(session.state)) {
      this.changed();
      return;
    }
    const recorder = seen && this.canRecord(session) ? startRecorder(session) : null;
    if (recorder) {
      this.running.set(session.callId, { session, recorder, media: session.media });
    } else {
      // Take the notice back, in case it reaches the caller late.
      session.send({ type: 'recording', on: false });
      this.problem = seen ? 'start-failed' : 'notice-unseen';
    }
    this.changed();
  }

  /** Stops recording, or the wait for the caller's notice (telling the caller, if the call goes on), and keeps the recording. */
  async stop(session: CallSession): Promise<void> {
    if (this.awaiting.delete(session.callId)) {
      if (isActive(session.state)) session.send({ type: 'recording', on: false });
      this.changed();
      return;
    }
    const running = this.running.get(session.callId);
    if (!running) return;
    this.running.delete(session.callId);
    if (isActive(session.state)) session.send({ type: 'recording', on: false });
    this.changed();
    const { audio, mimeType, durationMs } = await running.recorder.stop();
    // Signed out meanwhile: nothing of this person stays behind.
    if (this.closed) return;
    try {
      await saveRecording({ callId: session.callId, scope: this.scope(), mimeType, durationMs, size: audio.size, createdAt: Date.now(), audio });
    } catch {
      this.problem = 'save-failed';
    }
    await this.load();
  }

  /** Call after any change of the calls: a call that ended stops its recording; one that reconnected is followed. */
  callsChanged(): void {
    for (const entry of this.running.values()) {
      const { session, recorder } = entry;
      if (session.state.name === 'ended') {
        void this.stop(session);
      } else if (session.state.name === 'connected' && session.media !== entry.media) {
        entry.media = session.media;
        const remote = remoteStream(session);
        if (remote) recorder.add([remote]);
      }
    }
  }

  /** Re-reads the stored recordings, keeping the ones already shown (their players keep playing). */
  async load(): Promise<void> {
    const shown = new Map([...this.stored.values()].flat().map((r) => [r.id, r]));
    const fresh = await listRecordings(this.scope());
    for (const [callId, records] of fresh) fresh.set(callId, records.map((r) => shown.get(r.id) ?? r));
    this.stored = fresh;
    this.changed();
  }

  /** Signing out: running recordings are thrown away, not kept. */
  close(): void {
    this.closed = true;
    this.awaiting.clear();
    for (const { recorder } of this.running.values()) recorder.cancel();
    this.running.clear();
  }
}

function startRecorder(session: CallSession): CallRecorder | null {
  try {
    return new CallRecorder(callStreams(session));
  } catch {
    return null;
  }
}
