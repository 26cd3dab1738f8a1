/** REDIS_URL switches cluster mode on; a Redis that cannot be reached stops the start with the reason. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../peer-server/config.ts';
import { startServer } from '../../../peer-server/server.ts';
import { tempDir } from '../harness.ts';
import { freePort } from './redis-server.ts';

describe('REDIS_URL', () => {
  it('is off by default and refuses anything but a redis:// or rediss:// URL', () => {
    expect(loadConfig({}).redis).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379/2' }).redis).toEqual({ url: 'redis://10.0.0.5:6379/2', prefix: 'bfp:' });
    expect(() => loadConfig({ REDIS_URL: 'http://10.0.0.5:6379' })).toThrow(/^REDIS_URL must start with redis:\/\//);
  });

  it('keeps a node from starting when its Redis cannot be reached, and says so', async () => {
    const port = await freePort();
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir(), LOG_LEVEL: 'silent' });
    await expect(startServer(config)).rejects.toThrow(`cannot reach Redis at REDIS_URL (127.0.0.1:${port})`);
  });
});
