/**
 * The console's call recordings: starting one tells the caller first (they
 * see a notice for as long as it runs), stopping or the call ending keeps it
 * on this device with the call's history entry.
 */
import { isActive } from '../call/machine.ts';
import { CallRecorder, callStreams, canRecord, remoteStream } from '../call/recorder.ts';
import type { CallSession } from '../call/session.ts';
import type { RecordingRecord } from '../store/db.ts';
import { listRecordings, saveRecording } from '../store/recordings.ts';

export class CallRecordings {
  /** Stored recordings of this scope, by call id. */
  stored: ReadonlyMap<string, RecordingRecord> = new Map();
  /** Why the last recording could not start or be kept, in words. */
  /** The last recording that failed, for the screen to say: it could not start, or could not be kept. */
  problem: 'start-failed' | 'save-failed' | null = null;
  private readonly running = new Map<string, { session: CallSession; recorder: CallRecorder; media: CallSession['media'] }>();
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

  /** Tells the caller, then starts recording. */
  start(session: CallSession): void {
    if (this.running.has(session.callId) || !this.canRecord(session)) return;
    session.send({ type: 'recording', on: true });
    try {
      this.running.set(session.callId, { session, recorder: new CallRecorder(callStreams(session)), media: session.media });
      this.problem = null;
    } catch {
      session.send({ type: 'recording', on: false });
      this.problem = 'start-failed';
    }
    this.changed();
  }

  /** Stops recording (telling the caller, if the call goes on) and keeps the recording. */
  async stop(session: CallSession): Promise<void> {
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
    const fresh = new Map(await listRecordings(this.scope()));
    for (const [id, record] of fresh) {
      const shown = this.stored.get(id);
      if (shown?.createdAt === record.createdAt) fresh.set(id, shown);
    }
    this.stored = fresh;
    this.changed();
  }

  /** Signing out: running recordings are thrown away, not kept. */
  close(): void {
    this.closed = true;
    for (const { recorder } of this.running.values()) recorder.cancel();
    this.running.clear();
  }
}
