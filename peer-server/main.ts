/**
 * `npm start`: the app, the API and the broker in one process, with embedded
 * defaults. Prints where to open it and demo sign-in links.
 */
import { loadConfig } from './config.ts';
import { mintLink } from './links.ts';
import { loadOrCreateSecret } from './secret.ts';
import { startServer, type ServerOptions } from './server.ts';

export async function main(options: ServerOptions = {}): Promise<void> {
  const config = loadConfig();
  const running = await startServer(config, options);
  const secret = loadOrCreateSecret(config.dataDir);
  const base = config.publicUrl ?? running.url.replace(/:\d+$/, `:${running.port}`);
  const station = await mintLink(secret, base, { role: 'station', sub: 'qc-central', station: 'qc-central', name: 'QC Central console (demo)', days: config.tokenDays });
  const officer = await mintLink(secret, base, { role: 'officer', sub: 'demo-officer', station: 'qc-central', name: 'Demo Officer', days: config.tokenDays });
  const lines = [
    '',
    'BFP Emergency Voice is running.',
    `  Citizen app:      ${base}/`,
    `  Station console:  ${station.url}`,
    `  Officer screen:   ${officer.url}`,
    `  Data folder:      ${config.dataDir}`,
    '  (The directory is DEMO DATA until you import your own: npm run directory -- import <file>)',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`Could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
