/**
 * The console's ring. Browsers play sound only after a user gesture, so the
 * console unlocks audio when the dispatcher starts the shift.
 */
export class Ringer {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Call from a click handler. */
  unlock(): void {
    this.ctx ??= new AudioContext();
    void this.ctx.resume();
  }

  /** The console's audio context (unlocked at the start of the shift), shared with the bridge. */
  context(): AudioContext {
    this.ctx ??= new AudioContext();
    return this.ctx;
  }

  get unlocked(): boolean {
    return this.ctx?.state === 'running';
  }

  start(): void {
    if (this.timer) return;
    this.beep();
    this.timer = setInterval(() => this.beep(), 1500);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private beep(): void {
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.3, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.6);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.65);
  }
}
