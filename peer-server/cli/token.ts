/**
 * npm run --silent token -- --role station --station <id> --name "<name>" [--days N]
 * npm run --silent token -- --role officer --officer <id> --station <id> --name "<name>" [--days N]
 * Prints {"token": ..., "url": ...}.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { baseUrl, mintLink } from '../links.ts';
import { loadOrCreateSecret } from '../secret.ts';

const usage =
  'usage: npm run --silent token -- --role station --station <id> --name "<name>" [--days N]\n' +
  '       npm run --silent token -- --role officer --officer <id> --station <id> --name "<name>" [--days N]';

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      station: { type: 'string' },
      officer: { type: 'string' },
      name: { type: 'string' },
      days: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const { role, station, officer, name } = values;
  if ((role !== 'station' && role !== 'officer') || !station || !name) throw new Error(usage);
  if (role === 'officer' && !officer) throw new Error(`an officer token needs --officer <id>\n${usage}`);
  const days = values.days === undefined ? config.tokenDays : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('--days must be a whole number from 1 to 366');
  const secret = loadOrCreateSecret(config.dataDir);
  const sub = role === 'station' ? station : (officer as string);
  const link = await mintLink(secret, baseUrl(config), { role, sub, station, name, days });
  process.stdout.write(JSON.stringify(link) + '\n');
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
