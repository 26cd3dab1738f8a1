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

const Version = v.pipe(v.number(), v.integer(), v.minValue(1));

const directoryFields = {
  version: Version,
  demo: v.optional(v.boolean()),
  notice: v.optional(v.pipe(v.string(), v.maxLength(500))),
  stations: v.pipe(v.array(StationSchema), v.minLength(1, 'needs at least one station'), v.maxLength(5000)),
  hotlines: v.pipe(v.array(HotlineSchema), v.maxLength(50)),
};

function hasUniqueStationIds(d: { stations: { id: string }[] }): boolean {
  return new Set(d.stations.map((s) => s.id)).size === d.stations.length;
}

const UNIQUE_IDS = 'station ids must be unique';

export const DirectorySchema = v.pipe(
  v.strictObject(directoryFields),
  v.check((d) => hasUniqueStationIds(d), UNIQUE_IDS),
);

/** A file to import: the import sets the version, so the file need not have one. */
export const DirectoryFileSchema = v.pipe(
  v.strictObject({ ...directoryFields, version: v.optional(Version) }),
  v.check((d) => hasUniqueStationIds(d), UNIQUE_IDS),
);

export type Station = v.InferOutput<typeof StationSchema>;
export type Hotline = v.InferOutput<typeof HotlineSchema>;
export type Directory = v.InferOutput<typeof DirectorySchema>;
export type DirectoryFile = v.InferOutput<typeof DirectoryFileSchema>;

export interface DirectoryIssue {
  /** Where the fault is, e.g. `['stations', 2, 'lat']`. */
  path: (string | number)[];
  message: string;
}

export type Checked<T> = { ok: true; directory: T } | { ok: false; issues: DirectoryIssue[] };
export type DirectoryCheck = Checked<Directory>;

function check<T>(schema: v.GenericSchema<unknown, T>, data: unknown): Checked<T> {
  const result = v.safeParse(schema, data);
  if (result.success) return { ok: true, directory: result.output };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((p) => (typeof p.key === 'number' ? p.key : String(p.key))),
      message: issue.message,
    })),
  };
}

/** Validates untrusted directory data, naming the field at fault for each issue. */
export function checkDirectory(data: unknown): DirectoryCheck {
  return check(DirectorySchema, data);
}

/** Validates a file to import: a directory whose version is optional. */
export function checkDirectoryFile(data: unknown): Checked<DirectoryFile> {
  return check(DirectoryFileSchema, data);
}

/** `['stations', 2, 'lat']` → `stations[2].lat`. */
export function formatPath(path: (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(top level)';
}
