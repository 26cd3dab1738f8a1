import { LANG_NAMES, LANGS } from '../i18n/catalogue.ts';
import { language, useT } from '../i18n/index.ts';

/** English or Filipino, for every screen; each language is listed in its own words. */
export function LanguageSwitch() {
  const t = useT();
  return (
    <label class="language">
      <span>{t('language.label')}</span>
      <select
        value={t.lang}
        onChange={(e) => {
          const chosen = LANGS.find((l) => l === e.currentTarget.value);
          if (chosen) language.choose(chosen);
        }}
      >
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
