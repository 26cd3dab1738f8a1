import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';

/** Adds an officer to a caller's call (all three hear each other), or drops a party from it. */
export function ConferenceControls({ app, session }: { app: StationApp; session: CallSession }) {
  const [choice, setChoice] = useState('');
  const inBridge = app.bridge.has(session);
  const officers = [...app.officers.values()].filter((o) => o.linked || o.status !== 'off-duty');
  const chosen = officers.some((o) => o.id === choice) ? choice : (officers[0]?.id ?? '');
  if (inBridge) {
    return (
      <div class="conference">
        <p role="status">In a conference call</p>
        <button type="button" onClick={() => app.dropFromCall(session)} aria-label={`Remove ${session.remoteName || 'this party'} from the call`}>
          Remove from call
        </button>
      </div>
    );
  }
  if (session.direction !== 'in' || session.sos?.role !== 'citizen' || session.state.name !== 'connected' || officers.length === 0) return null;
  return (
    <form
      class="conference actions"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) app.addToCall(session, chosen);
      }}
    >
      <label>
        Officer
        <select value={chosen} onChange={(e) => setChoice(e.currentTarget.value)}>
          {officers.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Add officer to this call</button>
    </form>
  );
}
