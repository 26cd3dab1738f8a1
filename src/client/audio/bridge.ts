/**
 * A conference on the console: each remote party hears the dispatcher plus
 * every other party, mixed here with Web Audio, so the parties need no
 * connection of their own between them (a citizen still only ever talks to a
 * station console).
 */
export interface BridgeParty {
  /** The dispatcher's microphone as sent to this party (muting it silences the dispatcher for them). */
  localStream: MediaStream;
  /** What this party says. */
  remoteStream: MediaStream;
  /** The audio call carrying it. */
  pc: RTCPeerConnection;
}

interface Joined {
  party: BridgeParty;
  remote: MediaStreamAudioSourceNode;
  mic: MediaStreamAudioSourceNode;
  out: MediaStreamAudioDestinationNode;
  sender: RTCRtpSender;
  original: MediaStreamTrack | null;
}

export class Bridge<K> {
  private readonly joined = new Map<K, Joined>();

  constructor(private readonly ctx: () => AudioContext) {}

  has(key: K): boolean {
    return this.joined.has(key);
  }

  keys(): K[] {
    return [...this.joined.keys()];
  }

  /** Adds a party: from now on it hears the dispatcher and everyone already in, and they hear it. */
  async add(key: K, party: BridgeParty): Promise<void> {
    if (this.joined.has(key)) return;
    const sender = party.pc.getSenders().find((s) => s.track?.kind === 'audio' || s.track === null);
    if (!sender) throw new Error('the call has no audio sender');
    const ctx = this.ctx();
    if (ctx.state === 'suspended') await ctx.resume();
    const out = ctx.createMediaStreamDestination();
    out.channelCount = 1;
    const mic = ctx.createMediaStreamSource(party.localStream);
    const remote = ctx.createMediaStreamSource(party.remoteStream);
    mic.connect(out);
    for (const other of this.joined.values()) {
      other.remote.connect(out);
      remote.connect(other.out);
    }
    const original = sender.track;
    const mixed = out.stream.getAudioTracks()[0];
    if (!mixed) throw new Error('no mixed track');
    await sender.replaceTrack(mixed);
    this.joined.set(key, { party, remote, mic, out, sender, original });
  }

  /** Takes a party out: it goes back to hearing only the dispatcher; the others stop hearing it. */
  async remove(key: K): Promise<void> {
    const leaving = this.joined.get(key);
    if (!leaving) return;
    this.joined.delete(key);
    for (const other of this.joined.values()) {
      safely(() => leaving.remote.disconnect(other.out));
      safely(() => other.remote.disconnect(leaving.out));
    }
    safely(() => leaving.mic.disconnect());
    safely(() => leaving.remote.disconnect());
    if (leaving.party.pc.connectionState !== 'closed') await leaving.sender.replaceTrack(leaving.original).catch(() => undefined);
    // A lone party left in the bridge is back to a plain call.
    if (this.joined.size === 1) {
      const [lastKey] = this.joined.keys();
      if (lastKey !== undefined) await this.remove(lastKey);
    }
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Already disconnected.
  }
}
