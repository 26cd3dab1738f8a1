/**
 * The station directory: what the broker serves at /api/directory and what the
 * app caches for offline use. One schema for both sides.
 */
import * as v from 'valibot';
import { SLUG, SLUG_MAX } from './ids.ts';

const PHONE = /^\+?[0-9][0-9 ()-]{1,24}$/;

const Phone = v.pipe(v.string(), v.trim(), v.regex(PHONE, 'must be a phone number such as +63 2 8426 0219'));

export const StationSchema = v.strictObject({
  id: v.pipe(v.string(), v.maxLength(SLUG_MAX), v.regex(SLUG, 'must be lowercase letters and digits joined by single dashes')),
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(120)),
  address: v.pipe(v.string(), v.trim(), v.maxLength(240)),
  lat: v.pipe(v.number(), v.finite('must be a finite number'), v.minValue(-90), v.maxValue(90)),
  lng: v.pipe(v.number(), v.finite('must be a finite number'), v.minValue(-180), v.maxValue(180)),
  phones: v.pipe(v.array(Phone), v.minLength(1, 'needs at least one phone number'), v.maxLength(10)),
});

export const HotlineSchema = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(120)),
  number: Phone,
});

export const DirectorySchema = v.pipe(
  v.strictObject({
    version: v.pipe(v.number(), v.integer(), v.minValue(1)),
    demo: v.optional(v.boolean()),
    notice: v.optional(v.pipe(v.string(), v.maxLength(500))),
    stations: v.pipe(v.array(StationSchema), v.minLength(1, 'needs at least one station'), v.maxLength(5000)),
    hotlines: v.pipe(v.array(HotlineSchema), v.maxLength(50)),
  }),
  v.check((d) => new Set(d.stations.map((s) => s.id)).size === d.stations.length, 'station ids must be unique'),
);

export type Station = v.InferOutput<typeof StationSchema>;
export type Hotline = v.InferOutput<typeof HotlineSchema>;
export type Directory = v.InferOutput<typeof DirectorySchema>;

export interface DirectoryIssue {
  /** Where the fault is, e.g. `['stations', 2, 'lat']`. */
  path: (string | number)[];
  message: string;
}

export type DirectoryCheck = { ok: true; directory: Directory } | { ok: false; issues: DirectoryIssue[] };

/** Validates untrusted directory data, naming the field at fault for each issue. */
export function checkDirectory(data: unknown): DirectoryCheck {
  const result = v.safeParse(DirectorySchema, data);
  if (result.success) return { ok: true, directory: result.output };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((p) => (typeof p.key === 'number' ? p.key : String(p.key))),
      message: issue.message,
    })),
  };
}

/** `['stations', 2, 'lat']` → `stations[2].lat`. */
export function formatPath(path: (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(top level)';
}
