import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { formatTime } from '../format.ts';
import { useStaffT } from '../i18n/staff.ts';

/** Sends this call's incident to officers on duty and shows who acknowledged it. */
export function AssignForm({ app, session }: { app: StationApp; session: CallSession }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [address, setAddress] = useState('');
  const [note, setNote] = useState('');
  const st = useStaffT();
  const officers = [...app.officers.values()].filter((o) => o.linked && o.status !== 'off-duty');
  const sent = [...app.assignments.values()].filter((a) => a.callId === session.callId);
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  return (
    <details class="assign">
      <summary>{st('assign.summary')}</summary>
      {officers.length === 0 ? (
        <p>{st('assign.none')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const position = session.latestPosition()?.position ?? session.sos?.position ?? null;
            if (app.assign(session.callId, [...chosen], { callerName: session.sos?.name ?? session.remoteName, position, address: address.trim(), note: note.trim() })) {
              setChosen(new Set());
            }
          }}
        >
          <fieldset>
            <legend>{st('assign.officers')}</legend>
            {officers.map((o) => (
              <label key={o.id} class="duty-option">
                <input type="checkbox" checked={chosen.has(o.id)} onChange={() => toggle(o.id)} />
                {o.name}
              </label>
            ))}
          </fieldset>
          <label>
            {st('assign.address')}
            <input value={address} maxLength={240} onInput={(e) => setAddress(e.currentTarget.value)} />
          </label>
          <label>
            {st('assign.note')}
            <input value={note} maxLength={1000} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={chosen.size === 0}>
            {st('assign.send')}
          </button>
        </form>
      )}
      {sent.length > 0 && (
        <ul aria-label={st('assign.sent')} class="assign-status">
          {sent.flatMap((a) =>
            [...a.officers].map(([id, o]) => (
              <li key={`${a.assignment.id}-${id}`} data-acknowledged={o.ackAt !== null}>
                {o.ackAt === null ? st('assign.waiting', { name: o.name }) : st('assign.acked', { name: o.name, time: formatTime(o.ackAt, st) })}
              </li>
            )),
          )}
        </ul>
      )}
    </details>
  );
}
