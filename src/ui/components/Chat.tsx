import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';

/** Text chat for callers who cannot speak, with delivery marks. */
export function Chat({ session, label = 'Chat' }: { session: CallSession; label?: string }) {
  const [text, setText] = useState('');
  const send = (e: Event) => {
    e.preventDefault();
    session.sendChat(text);
    setText('');
  };
  return (
    <section class="chat" aria-label={label}>
      <ul class="chat-lines" aria-live="polite" aria-label="Messages">
        {session.chat.map((line) => (
          <li key={`${line.from}-${line.id}`} class={`chat-${line.from}`}>
            <span class="chat-who">{line.from === 'me' ? 'You' : 'Them'}: </span>
            <span class="chat-text">{line.text}</span>
            {line.from === 'me' && <span class="chat-ack">{line.acked ? ' ✓ Delivered' : ' … Sending'}</span>}
          </li>
        ))}
      </ul>
      <form onSubmit={send} class="chat-form">
        <label>
          <span class="visually-hidden">Message</span>
          <input value={text} onInput={(e) => setText(e.currentTarget.value)} maxLength={1000} placeholder="Type a message" />
        </label>
        <button type="submit" disabled={!text.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
