import type { Directory } from '../../shared/directory.ts';
import type { RankedStation } from '../../client/call/stations.ts';
import { formatDistance } from '../../client/location/watch.ts';
import { useT } from '../i18n/index.ts';

const tel = (n: string) => `tel:${n.replace(/[^+0-9]/g, '')}`;

/** Phone numbers that work without this app: the nearest stations' and the national hotlines. */
export function Hotlines({ directory, nearest }: { directory: Directory | null; nearest: RankedStation[] }) {
  const t = useT();
  if (!directory) {
    return (
      <section aria-label={t('hotlines.label')} class="hotlines">
        <a class="tel" href="tel:911">
          {t('hotlines.national')}
        </a>
      </section>
    );
  }
  const stations = nearest.length > 0 ? nearest.slice(0, 3).map((r) => ({ ...r.station, distance: r.distance })) : directory.stations.slice(0, 3).map((s) => ({ ...s, distance: null }));
  return (
    <section aria-label={t('hotlines.label')} class="hotlines">
      <h2>{t('hotlines.title')}</h2>
      <ul>
        {stations.map((s) => (
          <li key={s.id}>
            {s.phones.map((p) => (
              <a key={p} class="tel" href={tel(p)}>
                {`${s.name}: ${p}`}
                {s.distance !== null && ` (${formatDistance(s.distance)})`}
              </a>
            ))}
          </li>
        ))}
        {directory.hotlines.map((h) => (
          <li key={h.number}>
            <a class="tel" href={tel(h.number)}>{`${h.name}: ${h.number}`}</a>
          </li>
        ))}
      </ul>
      {directory.demo && directory.notice && <p class="notice">{directory.notice}</p>}
    </section>
  );
}
