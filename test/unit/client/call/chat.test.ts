/**
 * Chat within a call, as the receiving side sees it: each line once, each
 * acknowledged, and a flood from a hostile peer kept within bounds.
 */
import { describe, expect, it } from 'vitest';
import { sessionOnFakeConn } from './fake-session.ts';

const consoleSession = () => sessionOnFakeConn('in', 'c-0123456789abcdef0123456789abcdef');

const line = (id: string, text = 'Smoke on the second floor') => ({ v: 1, type: 'chat', id, text, sentAt: 1 });

describe('chat lines from the other side', () => {
  it('shows a line once and acknowledges every copy of it', () => {
    const { session, sent, receive } = consoleSession();
    receive(line('m1'));
    receive(line('m1'));
    expect(session.chat.map((c) => c.text)).toEqual(['Smoke on the second floor']);
    expect(sent).toEqual([
      { v: 1, type: 'ack', id: 'm1' },
      { v: 1, type: 'ack', id: 'm1' },
    ]);
  });

  it('keeps at most 1000 lines from a flood, counts the rest as dropped, and the call goes on', () => {
    const { session, sent, receive } = consoleSession();
    for (let i = 0; i < 1500; i++) receive(line(`m${i}`, `line ${i}`));
    expect(session.chat).toHaveLength(1000);
    expect(session.chat.at(-1)?.text).toBe('line 999');
    expect(session.invalidMessages).toBe(500);
    expect(sent).toHaveLength(1000);
    expect(session.state.name).not.toBe('ended');
  });
});
