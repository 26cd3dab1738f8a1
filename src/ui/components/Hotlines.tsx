import type { Directory } from '../../shared/directory.ts';
import type { RankedStation } from '../../client/call/stations.ts';
import { formatDistance } from '../../client/location/watch.ts';

const tel = (n: string) => `tel:${n.replace(/[^+0-9]/g, '')}`;

/** Phone numbers that work without this app: the nearest stations' and the national hotlines. */
export function Hotlines({ directory, nearest }: { directory: Directory | null; nearest: RankedStation[] }) {
  if (!directory) {
    return (
      <section aria-label="Hotlines" class="hotlines">
        <a class="tel" href="tel:911">
          National Emergency Hotline: 911
        </a>
      </section>
    );
  }
  const stations = nearest.length > 0 ? nearest.slice(0, 3).map((r) => ({ ...r.station, distance: r.distance })) : directory.stations.slice(0, 3).map((s) => ({ ...s, distance: null }));
  return (
    <section aria-label="Hotlines" class="hotlines">
      <h2>Call by phone</h2>
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
