import { useState } from 'preact/hooks';
import type { Profile } from '../../client/screens/citizen.ts';
import { useT } from '../i18n/index.ts';

/** First run: an optional name and phone number, so the station can call back. */
export function ProfileForm({ initial, onSave }: { initial: Profile | null; onSave(p: Profile): void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [phone, setPhone] = useState(initial?.phone ?? '');
  const t = useT();
  return (
    <form
      class="profile"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ name, phone });
      }}
    >
      <p>{t('profile.intro')}</p>
      <label>
        {t('profile.name')}
        <input name="name" autoComplete="name" value={name} maxLength={80} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t('profile.phone')}
        <input name="phone" type="tel" autoComplete="tel" value={phone} maxLength={32} onInput={(e) => setPhone(e.currentTarget.value)} />
      </label>
      <button type="submit" class="big">
        {t('profile.continue')}
      </button>
      <button type="button" class="link" onClick={() => onSave({ name: '', phone: '' })}>
        {t('profile.skip')}
      </button>
    </form>
  );
}
