/**
 * The station directory on disk (<DATA_DIR>/directory.json). Written only after
 * validation, through a temporary file, so a bad import never replaces a good one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseTree, findNodeAtLocation, type ParseError, printParseErrorCode, parse } from 'jsonc-parser';
import { checkDirectory, checkDirectoryFile, formatPath, type Checked, type Directory, type DirectoryFile } from '../src/shared/directory.ts';
import { DEMO_DIRECTORY } from './demo-directory.ts';

export interface StoredDirectory {
  directory: Directory;
  body: string;
  etag: string;
}

export class DirectoryError extends Error {
  constructor(readonly problems: string[]) {
    super(`The directory has errors:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses and validates the served directory's JSON text; problems name the line and field at fault. */
export function parseDirectory(text: string, source: string): Directory {
  return parseWith(text, source, checkDirectory);
}

/** Parses and validates a file to import, which may leave the version out. */
export function parseDirectoryFile(text: string, source: string): DirectoryFile {
  return parseWith(text, source, checkDirectoryFile);
}

function parseWith<T>(text: string, source: string, check: (data: unknown) => Checked<T>): T {
  const errors: ParseError[] = [];
  const data: unknown = parse(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0) {
    throw new DirectoryError(errors.slice(0, 10).map((e) => `${source}:${lineOf(text, e.offset)}: not valid JSON (${printParseErrorCode(e.error)})`));
  }
  const checked = check(data);
  if (checked.ok) return checked.directory;
  const tree = parseTree(text);
  throw new DirectoryError(
    checked.issues.slice(0, 20).map((issue) => {
      // Point at the deepest part of the path that exists in the file.
      let node;
      for (let n = issue.path.length; n >= 0 && !node; n--) node = tree && findNodeAtLocation(tree, issue.path.slice(0, n));
      const line = node ? lineOf(text, node.offset) : 1;
      return `${source}:${line}: ${formatPath(issue.path)}: ${issue.message}`;
    }),
  );
}

function stored(directory: Directory): StoredDirectory {
  const body = JSON.stringify(directory);
  const etag = `"${directory.version}-${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { directory, body, etag };
}

export function directoryFile(dataDir: string): string {
  return path.join(dataDir, 'directory.json');
}

/** Loads the directory, writing the demo one on first start. */
export function loadDirectory(dataDir: string): StoredDirectory {
  const file = directoryFile(dataDir);
  if (!fs.existsSync(file)) {
    writeDirectory(dataDir, DEMO_DIRECTORY);
    return stored(DEMO_DIRECTORY);
  }
  return stored(parseDirectory(fs.readFileSync(file, 'utf8'), file));
}

export function writeDirectory(dataDir: string, directory: Directory): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = directoryFile(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(directory, null, 2) + '\n');
  fs.renameSync(temp, file);
}

/**
 * Validates a file and makes it the directory. It gets the file's version when
 * that is above the current one, else current + 1 (also when the file has
 * none), so clients always see a change.
 */
export function importDirectory(dataDir: string, sourceFile: string): Directory {
  const incoming = parseDirectoryFile(fs.readFileSync(sourceFile, 'utf8'), sourceFile);
  const currentVersion = fs.existsSync(directoryFile(dataDir)) ? loadDirectory(dataDir).directory.version : 0;
  const next = { ...incoming, version: Math.max(incoming.version ?? 0, currentVersion + 1) };
  writeDirectory(dataDir, next);
  return next;
}

/** Keeps the served directory current when the file changes (an import while running). */
export function watchDirectory(dataDir: string, onChange: (d: StoredDirectory) => void, onError: (err: unknown) => void): () => void {
  const file = directoryFile(dataDir);
  const listener = () => {
    try {
      onChange(loadDirectory(dataDir));
    } catch (err) {
      onError(err);
    }
  };
  fs.watchFile(file, { interval: 1000 }, listener);
  return () => fs.unwatchFile(file, listener);
}

export { stored as storedDirectory };
