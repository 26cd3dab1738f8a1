import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';

/** Sends this call's incident to officers on duty and shows who acknowledged it. */
export function AssignForm({ app, session }: { app: StationApp; session: CallSession }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [address, setAddress] = useState('');
  const [note, setNote] = useState('');
  const officers = [...app.officers.values()].filter((o) => o.linked);
  const sent = [...app.assignments.values()].filter((a) => a.callId === session.callId);
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  return (
    <details class="assign">
      <summary>Send to officers</summary>
      {officers.length === 0 ? (
        <p>No officer on duty is connected.</p>
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
            <legend>Officers</legend>
            {officers.map((o) => (
              <label key={o.id} class="duty-option">
                <input type="checkbox" checked={chosen.has(o.id)} onChange={() => toggle(o.id)} />
                {o.name}
              </label>
            ))}
          </fieldset>
          <label>
            Address
            <input value={address} maxLength={240} onInput={(e) => setAddress(e.currentTarget.value)} />
          </label>
          <label>
            Note for the officers
            <input value={note} maxLength={1000} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={chosen.size === 0}>
            Send assignment
          </button>
        </form>
      )}
      {sent.length > 0 && (
        <ul aria-label="Assignments sent" class="assign-status">
          {sent.flatMap((a) =>
            [...a.officers].map(([id, o]) => (
              <li key={`${a.assignment.id}-${id}`} data-acknowledged={o.ackAt !== null}>
                {o.ackAt === null ? `${o.name}: waiting for acknowledgement` : `${o.name}: acknowledged at ${new Date(o.ackAt).toLocaleTimeString()}`}
              </li>
            )),
          )}
        </ul>
      )}
    </details>
  );
}
