import { formatDuration, type CallState } from '../client/call/machine.ts';
import type { T } from './i18n/index.ts';

/** Each phase of a call in words, as the person on this side should read it. */
export function describeCall(state: CallState, now: number, t: T): string {
  switch (state.name) {
    case 'idle':
      return '';
    case 'finding':
      return t('call.finding');
    case 'ringing':
      return state.direction === 'out' ? t('call.ringingOut', { target: state.target }) : t('call.ringingIn', { caller: state.target || t('call.aCaller') });
    case 'connecting':
      return t('call.connecting');
    case 'connected': {
      const time = formatDuration(now - state.connectedAt);
      if (state.hold.local) return t('call.onHold', { time });
      if (state.hold.remote) return t('call.heldByRemote', { time });
      return t('call.connected', { time });
    }
    case 'reconnecting':
      return t('call.reconnecting');
    case 'ended':
      return t(`ended.${state.reason}`);
  }
}
