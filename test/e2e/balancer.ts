/**
 * A small TCP load balancer for the browser tests, as a deployment puts in
 * front of several broker nodes: each new connection goes to the first node
 * whose /api/health answered the last probe (every 500 ms, 800 ms timeout).
 * Connections already open stay where they are, as with a real balancer: a
 * hung node keeps them half-open.
 */
import net from 'node:net';

export interface Balancer {
  port: number;
  close(): Promise<void>;
}

export async function startBalancer(backends: number[]): Promise<Balancer> {
  const up = new Set(backends);
  let stopped = false;
  const probe = async () => {
    while (!stopped) {
      for (const port of backends) {
        const ok = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(800) }).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) up.add(port);
        else up.delete(port);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  void probe();
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const port = backends.find((p) => up.has(p));
    if (port === undefined) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => open.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      stopped = true;
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
