/**
 * A call as an explicit state machine. Screens only render its state; every
 * change goes through `transition`, which ignores events that make no sense in
 * the current state (a late "accepted" after a hang-up, say).
 */
import type { EndReason } from '../../shared/protocol.ts';

export type Hold = { local: boolean; remote: boolean };

export type CallState =
  | { name: 'idle' }
  /** Outgoing: choosing whom to ring. */
  | { name: 'finding'; since: number }
  /** Outgoing: waiting for `target` to answer. Incoming: waiting for us to answer. */
  | { name: 'ringing'; direction: 'out' | 'in'; target: string; since: number }
  /** Answered; the audio path is being set up. */
  | { name: 'connecting'; since: number }
  | { name: 'connected'; connectedAt: number; hold: Hold; muted: boolean }
  /** The media path dropped; trying to bring it back. */
  | { name: 'reconnecting'; connectedAt: number; since: number; hold: Hold; muted: boolean }
  | { name: 'ended'; reason: EndReason; connectedAt: number | null; at: number };

export type CallEvent =
  | { type: 'dial' }
  | { type: 'ring'; target: string }
  | { type: 'incoming'; target: string }
  | { type: 'accepted' }
  | { type: 'media-up' }
  | { type: 'media-down' }
  | { type: 'hold'; by: 'local' | 'remote'; on: boolean }
  | { type: 'mute'; on: boolean }
  | { type: 'end'; reason: EndReason };

export const IDLE: CallState = { name: 'idle' };

export function transition(state: CallState, event: CallEvent, now: number): CallState {
  switch (event.type) {
    case 'dial':
      return state.name === 'idle' || state.name === 'ended' ? { name: 'finding', since: now } : state;
    case 'ring':
      // Moving on to the next station keeps the call ringing, with a new target.
      return state.name === 'finding' || (state.name === 'ringing' && state.direction === 'out')
        ? { name: 'ringing', direction: 'out', target: event.target, since: now }
        : state;
    case 'incoming':
      return state.name === 'idle' ? { name: 'ringing', direction: 'in', target: event.target, since: now } : state;
    case 'accepted':
      return state.name === 'ringing' ? { name: 'connecting', since: now } : state;
    case 'media-up':
      if (state.name === 'connecting') return { name: 'connected', connectedAt: now, hold: { local: false, remote: false }, muted: false };
      if (state.name === 'reconnecting') return { name: 'connected', connectedAt: state.connectedAt, hold: state.hold, muted: state.muted };
      return state;
    case 'media-down':
      return state.name === 'connected'
        ? { name: 'reconnecting', connectedAt: state.connectedAt, since: now, hold: state.hold, muted: state.muted }
        : state;
    case 'hold':
      if (state.name !== 'connected' && state.name !== 'reconnecting') return state;
      return { ...state, hold: { ...state.hold, [event.by]: event.on } };
    case 'mute':
      if (state.name !== 'connected' && state.name !== 'reconnecting') return state;
      return { ...state, muted: event.on };
    case 'end':
      if (state.name === 'idle' || state.name === 'ended') return state;
      return {
        name: 'ended',
        reason: event.reason,
        connectedAt: state.name === 'connected' || state.name === 'reconnecting' ? state.connectedAt : null,
        at: now,
      };
  }
}

export function isActive(state: CallState): boolean {
  return state.name !== 'idle' && state.name !== 'ended';
}

export function isOnHold(state: CallState): boolean {
  return (state.name === 'connected' || state.name === 'reconnecting') && (state.hold.local || state.hold.remote);
}

/** "00:42" or "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
