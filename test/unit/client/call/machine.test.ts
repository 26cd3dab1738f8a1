/**
 * The call state machine: what the caller, the dispatcher and the officer see
 * as a call goes from ringing to talking to ended, and which late or stray
 * events must not change it.
 */
import { describe, expect, it } from 'vitest';
import { IDLE, formatDuration, isActive, isOnHold, transition, type CallEvent, type CallState } from '../../../../src/client/call/machine.ts';

/** Feeds events in order, each at its own time, and returns the final state. */
function run(steps: [CallEvent, number][], from: CallState = IDLE): CallState {
  return steps.reduce((state, [event, at]) => transition(state, event, at), from);
}

/** A call that was answered and has audio, connected at `at`. */
function talking(at = 10_000): CallState {
  return run([
    [{ type: 'dial' }, 0],
    [{ type: 'ring', target: 'Quezon City Central' }, 100],
    [{ type: 'accepted' }, at - 500],
    [{ type: 'media-up' }, at],
  ]);
}

function expectName<N extends CallState['name']>(state: CallState, name: N): Extract<CallState, { name: N }> {
  expect(state.name).toBe(name);
  return state as Extract<CallState, { name: N }>;
}

describe('placing a call', () => {
  it('starts by finding the nearest station when the caller taps Call', () => {
    const s = expectName(transition(IDLE, { type: 'dial' }, 1_000), 'finding');
    expect(s.since).toBe(1_000);
  });

  it('rings the chosen station by name', () => {
    const s = expectName(run([[{ type: 'dial' }, 0], [{ type: 'ring', target: 'Quezon City Central' }, 80]]), 'ringing');
    expect(s).toEqual({ name: 'ringing', direction: 'out', target: 'Quezon City Central', since: 80 });
  });

  it('moving on to the next station keeps the call ringing with the new station name and a fresh ring time', () => {
    const s = expectName(
      run([
        [{ type: 'dial' }, 0],
        [{ type: 'ring', target: 'Quezon City Central' }, 80],
        [{ type: 'ring', target: 'Cubao Sub-Station' }, 20_080],
      ]),
      'ringing',
    );
    expect(s.direction).toBe('out');
    expect(s.target).toBe('Cubao Sub-Station');
    expect(s.since).toBe(20_080);
  });

  it('a second tap on Call while a call is going on does not restart it', () => {
    const ringing = run([[{ type: 'dial' }, 0], [{ type: 'ring', target: 'Quezon City Central' }, 80]]);
    expect(transition(ringing, { type: 'dial' }, 500)).toBe(ringing);
    const call = talking();
    expect(transition(call, { type: 'dial' }, 20_000)).toBe(call);
  });

  it('can call again after a call has ended', () => {
    const ended = run([[{ type: 'end', reason: 'no-answer' }, 5_000]], run([[{ type: 'dial' }, 0]]));
    expectName(ended, 'ended');
    const again = expectName(transition(ended, { type: 'dial' }, 9_000), 'finding');
    expect(again.since).toBe(9_000);
  });

  it('does not ring anybody before a station was looked for', () => {
    expect(transition(IDLE, { type: 'ring', target: 'Quezon City Central' }, 0)).toBe(IDLE);
  });

  it('an answer moves a ringing call on to connecting, not yet to talking', () => {
    const s = run([
      [{ type: 'dial' }, 0],
      [{ type: 'ring', target: 'Quezon City Central' }, 80],
      [{ type: 'accepted' }, 3_000],
    ]);
    expect(s).toEqual({ name: 'connecting', since: 3_000 });
    expect(isActive(s)).toBe(true);
  });

  it('an answer while still looking for a station is ignored', () => {
    const finding = transition(IDLE, { type: 'dial' }, 0);
    expect(transition(finding, { type: 'accepted' }, 10)).toBe(finding);
  });
});

describe('receiving a call', () => {
  it('a console rings with the caller name', () => {
    const s = expectName(transition(IDLE, { type: 'incoming', target: 'Maria Santos' }, 42), 'ringing');
    expect(s).toEqual({ name: 'ringing', direction: 'in', target: 'Maria Santos', since: 42 });
  });

  it('an incoming call is never redirected like an outgoing one', () => {
    const incoming = transition(IDLE, { type: 'incoming', target: 'Maria Santos' }, 42);
    expect(transition(incoming, { type: 'ring', target: 'Cubao Sub-Station' }, 100)).toBe(incoming);
  });

  it('an incoming ring does not take over a call already in progress', () => {
    const call = talking();
    expect(transition(call, { type: 'incoming', target: 'Someone else' }, 20_000)).toBe(call);
    const finding = transition(IDLE, { type: 'dial' }, 0);
    expect(transition(finding, { type: 'incoming', target: 'Someone else' }, 10)).toBe(finding);
  });

  it('answering a ringing call connects it', () => {
    const s = run([[{ type: 'incoming', target: 'Maria Santos' }, 0], [{ type: 'accepted' }, 4_000]]);
    expect(s).toEqual({ name: 'connecting', since: 4_000 });
  });

  it('a caller who gives up while it rings leaves a missed call with no talk time', () => {
    const s = expectName(run([[{ type: 'incoming', target: 'Maria Santos' }, 0], [{ type: 'end', reason: 'caller-cancelled' }, 7_000]]), 'ended');
    expect(s).toEqual({ name: 'ended', reason: 'caller-cancelled', connectedAt: null, at: 7_000 });
  });
});

describe('talking', () => {
  it('the timer starts when audio connects, not when the call was answered', () => {
    const s = expectName(
      run([
        [{ type: 'dial' }, 0],
        [{ type: 'ring', target: 'Quezon City Central' }, 80],
        [{ type: 'accepted' }, 3_000],
        [{ type: 'media-up' }, 3_400],
      ]),
      'connected',
    );
    expect(s.connectedAt).toBe(3_400);
  });

  it('a call starts unmuted and not on hold', () => {
    const s = expectName(talking(), 'connected');
    expect(s.muted).toBe(false);
    expect(s.hold).toEqual({ local: false, remote: false });
    expect(isOnHold(s)).toBe(false);
  });

  it('audio reported up again (ICE connected, then completed) does not reset the timer', () => {
    const call = expectName(talking(10_000), 'connected');
    const again = expectName(transition(call, { type: 'media-up' }, 15_000), 'connected');
    expect(again.connectedAt).toBe(10_000);
  });

  it('audio coming up before anyone answered does not count as talking', () => {
    const ringing = run([[{ type: 'incoming', target: 'Maria Santos' }, 0]]);
    expect(transition(ringing, { type: 'media-up' }, 100)).toBe(ringing);
  });

  it('mute is shown and can be undone', () => {
    const muted = expectName(transition(talking(), { type: 'mute', on: true }, 11_000), 'connected');
    expect(muted.muted).toBe(true);
    const unmuted = expectName(transition(muted, { type: 'mute', on: false }, 12_000), 'connected');
    expect(unmuted.muted).toBe(false);
  });

  it('mute and hold pressed before the call is answered change nothing', () => {
    const ringing = run([[{ type: 'dial' }, 0], [{ type: 'ring', target: 'Quezon City Central' }, 80]]);
    expect(transition(ringing, { type: 'mute', on: true }, 100)).toBe(ringing);
    expect(transition(ringing, { type: 'hold', by: 'local', on: true }, 100)).toBe(ringing);
  });

  it('the call stays on hold while either side holds it', () => {
    let s = transition(talking(), { type: 'hold', by: 'local', on: true }, 11_000);
    expect(isOnHold(s)).toBe(true);
    s = transition(s, { type: 'hold', by: 'remote', on: true }, 12_000);
    s = transition(s, { type: 'hold', by: 'local', on: false }, 13_000);
    expect(isOnHold(s)).toBe(true);
    expect(expectName(s, 'connected').hold).toEqual({ local: false, remote: true });
    s = transition(s, { type: 'hold', by: 'remote', on: false }, 14_000);
    expect(isOnHold(s)).toBe(false);
  });

  it('holding does not mute, and muting does not hold', () => {
    const held = expectName(transition(talking(), { type: 'hold', by: 'remote', on: true }, 11_000), 'connected');
    expect(held.muted).toBe(false);
    const muted = transition(talking(), { type: 'mute', on: true }, 11_000);
    expect(isOnHold(muted)).toBe(false);
  });

  it('muting or unmuting during hold leaves the call on hold', () => {
    const held = run([[{ type: 'hold', by: 'local', on: true }, 11_000], [{ type: 'hold', by: 'remote', on: true }, 11_500]], talking());
    const muted = transition(held, { type: 'mute', on: true }, 12_000);
    expect(expectName(muted, 'connected').hold).toEqual({ local: true, remote: true });
    const unmuted = transition(muted, { type: 'mute', on: false }, 13_000);
    expect(expectName(unmuted, 'connected').hold).toEqual({ local: true, remote: true });
  });
});

describe('a dropped media path', () => {
  it('shows reconnecting and keeps the talk time running from the original connect', () => {
    const s = expectName(transition(talking(10_000), { type: 'media-down' }, 30_000), 'reconnecting');
    expect(s.connectedAt).toBe(10_000);
    expect(s.since).toBe(30_000);
    expect(isActive(s)).toBe(true);
  });

  it('coming back resumes the call with the original timer', () => {
    const s = run([[{ type: 'media-down' }, 30_000], [{ type: 'media-up' }, 33_000]], talking(10_000));
    expect(expectName(s, 'connected').connectedAt).toBe(10_000);
  });

  it('hold by either side is remembered through a reconnect', () => {
    const local = run(
      [
        [{ type: 'hold', by: 'local', on: true }, 11_000],
        [{ type: 'media-down' }, 30_000],
        [{ type: 'media-up' }, 33_000],
      ],
      talking(),
    );
    expect(expectName(local, 'connected').hold).toEqual({ local: true, remote: false });

    const remote = run(
      [
        [{ type: 'media-down' }, 30_000],
        // The other side pressed hold while our media was down.
        [{ type: 'hold', by: 'remote', on: true }, 31_000],
        [{ type: 'media-up' }, 33_000],
      ],
      talking(),
    );
    expect(expectName(remote, 'connected').hold).toEqual({ local: false, remote: true });
    expect(isOnHold(remote)).toBe(true);
  });

  it('mute is remembered through a reconnect', () => {
    const s = run(
      [
        [{ type: 'mute', on: true }, 11_000],
        [{ type: 'media-down' }, 30_000],
        [{ type: 'media-up' }, 33_000],
      ],
      talking(),
    );
    expect(expectName(s, 'connected').muted).toBe(true);
  });

  it('a hang-up while reconnecting still records how long the call lasted', () => {
    const s = run([[{ type: 'media-down' }, 30_000], [{ type: 'end', reason: 'lost' }, 40_000]], talking(10_000));
    expect(s).toEqual({ name: 'ended', reason: 'lost', connectedAt: 10_000, at: 40_000 });
  });

  it('a drop before the call was ever connected does not show reconnecting', () => {
    const connecting = run([[{ type: 'incoming', target: 'Maria Santos' }, 0], [{ type: 'accepted' }, 1_000]]);
    expect(transition(connecting, { type: 'media-down' }, 1_500)).toBe(connecting);
  });
});

describe('ending a call', () => {
  it('a hang-up during the call records the reason and the talk time', () => {
    const s = transition(talking(10_000), { type: 'end', reason: 'hangup' }, 52_000);
    expect(s).toEqual({ name: 'ended', reason: 'hangup', connectedAt: 10_000, at: 52_000 });
    expect(isActive(s)).toBe(false);
    expect(isOnHold(s)).toBe(false);
  });

  it('a call declined while ringing has no talk time', () => {
    const s = run([
      [{ type: 'dial' }, 0],
      [{ type: 'ring', target: 'Quezon City Central' }, 80],
      [{ type: 'end', reason: 'declined' }, 2_000],
    ]);
    expect(s).toEqual({ name: 'ended', reason: 'declined', connectedAt: null, at: 2_000 });
  });

  it('a call answered but whose audio never came up has no talk time', () => {
    const s = run([
      [{ type: 'incoming', target: 'Maria Santos' }, 0],
      [{ type: 'accepted' }, 1_000],
      [{ type: 'end', reason: 'failed' }, 6_000],
    ]);
    expect(s).toEqual({ name: 'ended', reason: 'failed', connectedAt: null, at: 6_000 });
  });

  it('cancelling while still looking for a station ends the call', () => {
    const s = run([[{ type: 'dial' }, 0], [{ type: 'end', reason: 'caller-cancelled' }, 300]]);
    expect(expectName(s, 'ended').reason).toBe('caller-cancelled');
  });

  it('the first reason wins: a decline followed by the connection closing still reads declined', () => {
    const declined = run([[{ type: 'incoming', target: 'Maria Santos' }, 0], [{ type: 'end', reason: 'declined' }, 2_000]]);
    const after = transition(declined, { type: 'end', reason: 'hangup' }, 2_200);
    expect(after).toBe(declined);
    expect(expectName(after, 'ended')).toMatchObject({ reason: 'declined', at: 2_000 });
  });

  it('a late accept after the caller hung up does not reconnect the call', () => {
    const ended = run([
      [{ type: 'dial' }, 0],
      [{ type: 'ring', target: 'Quezon City Central' }, 80],
      [{ type: 'end', reason: 'caller-cancelled' }, 4_000],
    ]);
    const late = run([[{ type: 'accepted' }, 4_100], [{ type: 'media-up' }, 4_300]], ended);
    expect(late).toBe(ended);
    expect(isActive(late)).toBe(false);
  });

  it('after a hang-up, stray media, hold and mute events change nothing', () => {
    const ended = transition(talking(), { type: 'end', reason: 'hangup' }, 30_000);
    for (const event of [
      { type: 'media-up' },
      { type: 'media-down' },
      { type: 'hold', by: 'remote', on: true },
      { type: 'mute', on: true },
      { type: 'ring', target: 'Cubao Sub-Station' },
      { type: 'incoming', target: 'Maria Santos' },
    ] satisfies CallEvent[]) {
      expect(transition(ended, event, 31_000)).toBe(ended);
    }
  });

  it('ending a call that never started does nothing', () => {
    expect(transition(IDLE, { type: 'end', reason: 'hangup' }, 0)).toBe(IDLE);
  });
});

describe('isActive', () => {
  it('is true from the tap until the call ends', () => {
    expect(isActive(IDLE)).toBe(false);
    const states = [
      transition(IDLE, { type: 'dial' }, 0),
      run([[{ type: 'dial' }, 0], [{ type: 'ring', target: 'Quezon City Central' }, 1]]),
      transition(IDLE, { type: 'incoming', target: 'Maria Santos' }, 0),
      run([[{ type: 'incoming', target: 'Maria Santos' }, 0], [{ type: 'accepted' }, 1]]),
      talking(),
      transition(talking(), { type: 'media-down' }, 20_000),
    ];
    for (const s of states) expect(isActive(s), s.name).toBe(true);
  });
});

describe('formatDuration', () => {
  it('shows minutes and seconds as the caller sees them: "Connected 00:42"', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(42_000)).toBe('00:42');
    expect(formatDuration(42_999)).toBe('00:42');
    expect(formatDuration(9 * 60_000 + 5_000)).toBe('09:05');
    expect(formatDuration(59 * 60_000 + 59_000)).toBe('59:59');
  });

  it('adds hours for long calls', () => {
    expect(formatDuration(3_600_000)).toBe('1:00:00');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(12 * 3_600_000 + 34 * 60_000 + 56_000)).toBe('12:34:56');
  });

  it('never shows a negative time when clocks disagree', () => {
    expect(formatDuration(-5_000)).toBe('00:00');
  });
});
