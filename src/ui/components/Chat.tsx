import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';
import { useT } from '../i18n/index.ts';

/** Text chat for callers who cannot speak, with delivery marks. */
export function Chat({ session, label }: { session: CallSession; label?: string }) {
  const t = useT();
  const [text, setText] = useState('');
  const send = (e: Event) => {
    e.preventDefault();
    session.sendChat(text);
    setText('');
  };
  return (
    <section class="chat" aria-label={label ?? t('chat.label')}>
      <ul class="chat-lines" aria-live="polite" aria-label={t('chat.messages')}>
        {session.chat.map((line) => (
          <li key={`${line.from}-${line.id}`} class={`chat-${line.from}`}>
            <span class="chat-who">{line.from === 'me' ? t('chat.you') : t('chat.them')}: </span>
            <span class="chat-text">{line.text}</span>
            {line.from === 'me' && <span class="chat-ack">{` ${line.acked ? t('chat.delivered') : t('chat.sending')}`}</span>}
          </li>
        ))}
      </ul>
      <form onSubmit={send} class="chat-form">
        <label>
          <span class="visually-hidden">{t('chat.message')}</span>
          <input value={text} onInput={(e) => setText(e.currentTarget.value)} maxLength={1000} placeholder={t('chat.placeholder')} />
        </label>
        <button type="submit" disabled={!text.trim()}>
          {t('chat.send')}
        </button>
      </form>
    </section>
  );
}
