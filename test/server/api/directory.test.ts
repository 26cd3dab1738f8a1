/**
 * GET /api/directory and `npm run directory -- import <file>`: clients sync
 * only what changed (ETag / 304); an import with errors is refused with the
 * line and field at fault, and the old directory stays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DirectoryError, directoryFile, importDirectory } from '../../../peer-server/directory-store.ts';
import type { Directory } from '../../../src/shared/directory.ts';
import { eventually, runCli, startBroker, tempDir, type Broker } from '../harness.ts';

const DIRECTORY_CLI = 'peer-server/cli/directory.ts';

async function getDirectory(broker: Broker, etag?: string): Promise<{ status: number; etag: string | null; body: Directory | null }> {
  const res = await broker.http('/api/directory', etag ? { headers: { 'if-none-match': etag } } : {});
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: text ? (JSON.parse(text) as Directory) : null };
}

const NEW_DIRECTORY = `{
  "version": 1,
  "stations": [
    {
      "id": "manila-central",
      "name": "Manila Central Fire Station",
      "address": "Manila",
      "lat": 14.5995,
      "lng": 120.9842,
      "phones": ["+63 2 8527 3653"]
    },
    {
      "id": "manila-tondo",
      "name": "Tondo Fire Sub-Station",
      "address": "Tondo, Manila",
      "lat": 14.6186,
      "lng": 120.9663,
      "phones": ["+63 2 8245 0000"]
    }
  ],
  "hotlines": [{ "name": "National Emergency Hotline", "number": "911" }]
}
`;

function writeFile(text: string, name = 'directory-import.json'): string {
  const file = path.join(tempDir('bfp-import-'), name);
  fs.writeFileSync(file, text);
  return file;
}

describe('GET /api/directory', () => {
  it('serves the demo directory on a first start, with a version and an ETag', async () => {
    const broker = await startBroker();
    const { status, etag, body } = await getDirectory(broker);
    expect(status).toBe(200);
    expect(etag).toMatch(/^"1-[A-Za-z0-9_-]+"$/);
    expect(body?.version).toBe(1);
    expect(body?.demo).toBe(true);
    expect(body?.stations.length).toBeGreaterThanOrEqual(3);
    expect(body?.stations[0]).toEqual({ id: expect.any(String), name: expect.any(String), address: expect.any(String), lat: expect.any(Number), lng: expect.any(Number), phones: expect.any(Array) });
    expect(body?.hotlines).toContainEqual({ name: expect.any(String), number: '911' });
  });

  it('answers 304 with no body when the client already has this version, and 200 when it has another', async () => {
    const broker = await startBroker();
    const first = await getDirectory(broker);
    const etag = first.etag as string;
    for (const tag of [etag, `W/${etag}`, `"stale", ${etag}`]) {
      const again = await getDirectory(broker, tag);
      expect(again.status).toBe(304);
      expect(again.body).toBeNull();
    }
    const stale = await getDirectory(broker, '"0-stale"');
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual(first.body);
  });
});

describe('directory import', () => {
  it('makes an imported directory visible to clients of a running server, with a new version and ETag', { timeout: 60_000 }, async () => {
    const broker = await startBroker();
    const before = await getDirectory(broker);
    const result = await runCli(DIRECTORY_CLI, ['import', writeFile(NEW_DIRECTORY)], { DATA_DIR: broker.dataDir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Imported 2 stations and 1 hotlines as version 2/);

    // The client that had the old version gets the new one.
    const after = await eventually(async () => {
      const res = await getDirectory(broker, before.etag as string);
      return res.status === 200 && res.body;
    }, 5000, 'the new directory being served');
    expect(after.version).toBe(2);
    expect(after.stations.map((s) => s.id)).toEqual(['manila-central', 'manila-tondo']);
    const now = await getDirectory(broker);
    expect(now.etag).not.toBe(before.etag);
    expect((await getDirectory(broker, now.etag as string)).status).toBe(304);
  });

  it('imports a file without a version (the import sets it) and checks one without complaint', { timeout: 60_000 }, async () => {
    const dataDir = tempDir('bfp-data-');
    const file = writeFile(NEW_DIRECTORY.replace('"version": 1,\n', ''));
    expect(fs.readFileSync(file, 'utf8')).not.toContain('version');
    const checked = await runCli(DIRECTORY_CLI, ['check', file], { DATA_DIR: dataDir });
    expect(checked.stdout).toMatch(/is valid: 2 stations/);
    const imported = await runCli(DIRECTORY_CLI, ['import', file], { DATA_DIR: dataDir });
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/Imported 2 stations and 1 hotlines as version 1\./);
    // Again, over the one just imported: the next version, so clients see a change.
    expect(importDirectory(dataDir, file).version).toBe(2);
    expect(JSON.parse(fs.readFileSync(directoryFile(dataDir), 'utf8'))).toMatchObject({ version: 2, stations: [{ id: 'manila-central' }, { id: 'manila-tondo' }] });
  });

  it('refuses a file with errors, naming the line and the field, and leaves the old directory in place', { timeout: 60_000 }, async () => {
    const broker = await startBroker();
    const before = await getDirectory(broker);
    const stored = fs.readFileSync(directoryFile(broker.dataDir), 'utf8');

    // Line 16 holds the second station's latitude, which is out of range.
    const bad = writeFile(NEW_DIRECTORY.replace('"lat": 14.6186', '"lat": 146.186'));
    expect(fs.readFileSync(bad, 'utf8').split('\n')[15]).toContain('146.186');
    const result = await runCli(DIRECTORY_CLI, ['import', bad], { DATA_DIR: broker.dataDir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${bad}:16: stations[1].lat:`);
    expect(result.stderr).toMatch(/current directory was not changed/);

    expect(fs.readFileSync(directoryFile(broker.dataDir), 'utf8')).toBe(stored);
    const after = await getDirectory(broker, before.etag as string);
    expect(after.status).toBe(304);
  });

  it('names the line of every kind of error: broken JSON, a missing field, an unknown field, a duplicate id', () => {
    const dataDir = tempDir('bfp-data-');
    const current = importDirectory(dataDir, writeFile(NEW_DIRECTORY));
    const stored = fs.readFileSync(directoryFile(dataDir), 'utf8');
    const cases: [string, RegExp][] = [
      [NEW_DIRECTORY.replace('"phones": ["+63 2 8527 3653"]', '"phones": ["+63 2 8527 3653"],'), /:11: not valid JSON \(PropertyNameExpected\)/], // reported at the token after the trailing comma
      [NEW_DIRECTORY.replace('"name": "Tondo Fire Sub-Station",\n', ''), /:12: stations\[1\]\.name: /],
      [NEW_DIRECTORY.replace('"address": "Manila",', '"address": "Manila", "fax": "none",'), /:7: stations\[0\]\.fax: /],
      [NEW_DIRECTORY.replace('"manila-tondo"', '"manila-central"'), /station ids must be unique/],
      [NEW_DIRECTORY.replace('"911"', '"call us"'), /:21: hotlines\[0\]\.number: must be a phone number/],
    ];
    for (const [text, expected] of cases) {
      const file = writeFile(text);
      let error: unknown;
      try {
        importDirectory(dataDir, file);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DirectoryError);
      expect((error as DirectoryError).problems.join('\n')).toMatch(expected);
      expect((error as DirectoryError).problems.every((p) => p.startsWith(`${file}:`))).toBe(true);
      expect(fs.readFileSync(directoryFile(dataDir), 'utf8')).toBe(stored);
    }
    expect(current.version).toBe(1);
  });

  it('keeps serving the last good directory when directory.json is broken by hand', async () => {
    const logs: string[] = [];
    const log = pino({ level: 'info', base: null }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) }));
    const broker = await startBroker({ server: { log } });
    const before = await getDirectory(broker);
    fs.writeFileSync(directoryFile(broker.dataDir), '{"version": 3, "stations": [');
    await eventually(() => logs.some((l) => l.includes('directory file is broken')), 5000, 'the server noticing the broken file');
    const after = await getDirectory(broker, before.etag as string);
    expect(after.status).toBe(304);
  });
});
