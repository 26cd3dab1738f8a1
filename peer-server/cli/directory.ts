/**
 * npm run directory -- import <file>   validate a directory file and make it current
 * npm run directory -- show            print the current directory
 * npm run directory -- check <file>    validate a file without importing it
 */
import { loadConfig } from '../config.ts';
import { DirectoryError, importDirectory, loadDirectory, parseDirectoryFile } from '../directory-store.ts';
import fs from 'node:fs';

function run(): void {
  const [command, file] = process.argv.slice(2);
  const config = loadConfig();
  if (command === 'show') {
    process.stdout.write(JSON.stringify(loadDirectory(config.dataDir).directory, null, 2) + '\n');
    return;
  }
  if ((command === 'import' || command === 'check') && file) {
    if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
    if (command === 'check') {
      const d = parseDirectoryFile(fs.readFileSync(file, 'utf8'), file);
      process.stdout.write(`${file} is valid: ${d.stations.length} stations, ${d.hotlines.length} hotlines\n`);
      return;
    }
    const d = importDirectory(config.dataDir, file);
    process.stdout.write(`Imported ${d.stations.length} stations and ${d.hotlines.length} hotlines as version ${d.version}. A running server picks it up within a few seconds.\n`);
    return;
  }
  throw new Error('usage: npm run directory -- import <file> | check <file> | show');
}

try {
  run();
} catch (err) {
  process.stderr.write(`${err instanceof DirectoryError ? `Refused: ${err.message}\nThe current directory was not changed.` : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
