import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { loadMapConfig } from '../../client/map/config.ts';
import { placeLabels } from '../../client/map/labels.ts';
import { describeMap, mapScene, type MapMarker, type MarkerKind } from '../../client/map/markers.ts';
import { scaleBar } from '../../client/map/scale.ts';
import { coveringTiles } from '../../client/map/tiles.ts';
import { fitView, metresToPixels, toScreen } from '../../client/map/view.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { useStaffT } from '../i18n/staff.ts';
import { statusText } from './OfficersPanel.tsx';
import './IncidentMap.css';

/** The drawing's size before the page is laid out; then it follows the width it is given, 1 unit a CSS pixel. */
const FIRST_WIDTH = 640;
const MIN_HEIGHT = 240;
const MAX_HEIGHT = 480;
/** Room around the markers for their symbols and labels. */
const PADDING = 56;

const round = (n: number) => Math.round(n * 10) / 10;

/** A marker's symbol: a square for the station, a circle for a caller, a triangle for an officer (told apart without colour). */
function MarkerSymbol({ kind, x, y }: { kind: MarkerKind; x: number; y: number }) {
  if (kind === 'station') return <rect class="map-symbol" data-kind={kind} x={x - 8} y={y - 8} width={16} height={16} />;
  if (kind === 'caller') return <circle class="map-symbol" data-kind={kind} cx={x} cy={y} r={8} />;
  return <polygon class="map-symbol" data-kind={kind} points={`${x},${y - 9} ${x + 9},${y + 7} ${x - 9},${y + 7}`} />;
}

/** The width the element is laid out at, following resizes. */
function useWidth(ref: RefObject<HTMLElement | null>, initial: number): number {
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** The tile template from the server, once known (null: a plain map). */
function useTileTemplate(): string | null {
  const [template, setTemplate] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void loadMapConfig().then((config) => live && setTemplate(config.mapTileUrl));
    return () => {
      live = false;
    };
  }, []);
  return template;
}

/** Tiles that failed to load (offline, or the tile server is down); forgotten when the network comes back. */
function useFailedTiles(): [ReadonlySet<string>, (url: string) => void] {
  const [failed, setFailed] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const retry = () => setFailed(new Set());
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, []);
  return [failed, (url) => setFailed((prev) => new Set(prev).add(url))];
}

/**
 * The station's area with the station, the callers of active calls and the
 * officers on duty, each with its accuracy circle. Map tiles are drawn behind
 * when the station serves them; without them the positions still show, to
 * scale, on a plain background.
 */
export function IncidentMap({ app }: { app: StationApp }) {
  const st = useStaffT();
  const template = useTileTemplate();
  const [failed, markFailed] = useFailedTiles();
  const frame = useRef<HTMLDivElement>(null);
  const width = useWidth(frame, FIRST_WIDTH);
  const height = Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, width * 0.6)));
  const officers = [...app.officers.values()].map((o) => ({ id: o.id, name: o.name, position: o.position, detail: statusText(o.status, st) }));
  const scene = mapScene(app.station(), app.calls(), officers, st('kind.caller'));
  const { label, facts } = describeMap(scene, st);
  // Whole zoom levels keep tiles sharp; a plain map may fill its space more closely.
  const view = fitView(scene.markers, width, height, { padding: PADDING, zoomSnap: template ? 1 : 0.25 });
  const tiles = view && template ? coveringTiles(view, template).filter((t) => !failed.has(t.url)) : [];
  const scale = view && scaleBar(view);
  const placed = view ? scene.markers.map((m) => ({ marker: m, ...toScreen(view, m), r: metresToPixels(view, m, m.accuracy) })) : [];
  const labels = placeLabels(placed.map((p) => ({ x: p.x, y: p.y, text: p.marker.name })), width);
  const title = (m: MapMarker) => `${st(`kind.${m.kind}`)}: ${m.name}${m.detail ? ` (${m.detail})` : ''}${m.accuracy > 0 ? `, ±${Math.round(m.accuracy)} m` : ''}`;

  return (
    <section class="incident-map" aria-labelledby="map-title">
      <h2 id="map-title">{st('map.title')}</h2>
      <div class="map-frame" ref={frame}>
        {!view ? (
          <p>{st('map.none')}</p>
        ) : (
          <svg
            class="map-canvas"
            role="img"
            aria-label={label}
            width={width}
            height={height}
            viewBox={`0 0 ${width} ${height}`}
            data-tiles={template ? 'on' : 'off'}
            data-zoom={view.zoom}
          >
            <rect class="map-ground" width={width} height={height} />
            {tiles.map((t) => (
              <image
                key={t.key}
                class="map-tile"
                href={t.url}
                x={round(t.left)}
                y={round(t.top)}
                width={round(t.size)}
                height={round(t.size)}
                onError={() => markFailed(t.url)}
              />
            ))}
            {placed.map(({ marker, x, y, r }) =>
              marker.accuracy > 0 ? (
                <circle
                  key={`${marker.id}-accuracy`}
                  class="map-accuracy"
                  data-kind={marker.kind}
                  data-metres={Math.round(marker.accuracy)}
                  cx={round(x)}
                  cy={round(y)}
                  r={round(r)}
                />
              ) : null,
            )}
            {placed.map(({ marker, x, y }, i) => (
              <g key={marker.id} class="map-marker" data-kind={marker.kind}>
                <title>{title(marker)}</title>
                <MarkerSymbol kind={marker.kind} x={round(x)} y={round(y)} />
                <text class="map-label" x={round(labels[i]?.x ?? x)} y={round(labels[i]?.y ?? y)} text-anchor={labels[i]?.anchor ?? 'start'}>
                  {marker.name}
                </text>
              </g>
            ))}
            {scale && (
              <g class="map-scale" data-metres={scale.metres} transform={`translate(16 ${height - 16})`}>
                <title>{st('map.scale', { label: scale.label })}</title>
                <rect class="map-scale-back" x={-6} y={-26} width={round(scale.widthPx + 12)} height={32} />
                <path class="map-scale-bar" d={`M0 -6 V0 H${round(scale.widthPx)} V-6`} />
                <text class="map-scale-label" x={0} y={-10}>
                  {scale.label}
                </text>
              </g>
            )}
          </svg>
        )}
      </div>
      {template && failed.size > 0 && <p class="muted">{st('map.tilesDown')}</p>}
      <ul class="map-legend" aria-label={st('map.legend')}>
        {(['station', 'caller', 'officer'] as const).map((kind) => (
          <li key={kind}>
            <svg class="map-swatch" viewBox="-10 -10 20 20" aria-hidden="true">
              <MarkerSymbol kind={kind} x={0} y={0} />
            </svg>
            {st(`kind.${kind}`)}
          </li>
        ))}
        <li>
          <svg class="map-swatch" viewBox="-10 -10 20 20" aria-hidden="true">
            <circle class="map-accuracy" data-kind="caller" r={9} />
          </svg>
          {st('map.accuracy')}
        </li>
      </ul>
      {view && (
        <ul class="visually-hidden" aria-label={st('map.details')}>
          {facts.map((f) => (
            <li key={f}>{f}</li>
          ))}
          {scale && <li>{st('map.scaleBar', { label: scale.label })}</li>}
        </ul>
      )}
    </section>
  );
}
