/**
 * `npm run dev`: the same server, with Vite in middleware mode on the same
 * port, so the broker, the API and hot reload all work together.
 */
import { main } from './main.ts';

await main({
  sharedUpgrades: true,
  async beforeStatic(app, server) {
    const { createServer } = await import('vite');
    const vite = await createServer({ server: { middlewareMode: true, hmr: { server } }, appType: 'spa' });
    app.use(vite.middlewares);
  },
});
