import { formatDuration, type CallState } from '../client/call/machine.ts';
import type { EndReason } from '../shared/protocol.ts';

const ENDED: Record<EndReason, string> = {
  hangup: 'Call ended',
  declined: 'Call declined',
  'answered-elsewhere': 'Answered on another console',
  'no-answer': 'No answer',
  'caller-cancelled': 'Call cancelled',
  failed: 'Call failed',
  lost: 'Call lost — the connection could not be restored',
  busy: 'Busy',
  transferred: 'Transferred to another console',
};

/** Each phase of a call in words, as the person on this side should read it. */
export function describeCall(state: CallState, now: number): string {
  switch (state.name) {
    case 'idle':
      return '';
    case 'finding':
      return 'Finding the nearest station…';
    case 'ringing':
      return state.direction === 'out' ? `Ringing ${state.target}…` : `Incoming call from ${state.target || 'a caller'}`;
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      if (state.hold.local) return `On hold ${formatDuration(now - state.connectedAt)}`;
      if (state.hold.remote) return `The other side put you on hold ${formatDuration(now - state.connectedAt)}`;
      return `Connected ${formatDuration(now - state.connectedAt)}`;
    case 'reconnecting':
      return 'Reconnecting…';
    case 'ended':
      return ENDED[state.reason];
  }
}
