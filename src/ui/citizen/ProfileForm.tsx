import { useState } from 'preact/hooks';
import type { Profile } from '../../client/screens/citizen.ts';

/** First run: an optional name and phone number, so the station can call back. */
export function ProfileForm({ initial, onSave }: { initial: Profile | null; onSave(p: Profile): void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [phone, setPhone] = useState(initial?.phone ?? '');
  return (
    <form
      class="profile"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ name, phone });
      }}
    >
      <p>So the fire station knows who is calling and can call you back. Both are optional.</p>
      <label>
        Your name
        <input name="name" autoComplete="name" value={name} maxLength={80} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Your phone number
        <input name="phone" type="tel" autoComplete="tel" value={phone} maxLength={32} onInput={(e) => setPhone(e.currentTarget.value)} />
      </label>
      <button type="submit" class="big">
        Continue
      </button>
      <button type="button" class="link" onClick={() => onSave({ name: '', phone: '' })}>
        Skip
      </button>
    </form>
  );
}
