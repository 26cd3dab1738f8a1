/**
 * Request/response over the Node IPC channel between the bench and its child
 * processes (brokers and load generators). Every call has a timeout, and a
 * child exits as soon as the bench goes away, so nothing outlives a run.
 */
import { fork, type ChildProcess } from 'node:child_process';

type Handler = (args: Record<string, unknown>) => unknown;

interface Request {
  seq: number;
  cmd: string;
  args: Record<string, unknown>;
}

type Reply = { seq: number; ok: true; result: unknown } | { seq: number; ok: false; error: string };

/** In a child: answers the bench's commands and tells it once it is ready. */
export function serveRpc(handlers: Record<string, Handler>, ready: unknown): void {
  const send = (message: unknown) => {
    if (process.connected) process.send?.(message);
  };
  process.on('message', (raw) => {
    const req = raw as Request;
    Promise.resolve()
      .then(() => {
        const handler = handlers[req.cmd];
        if (!handler) throw new Error(`unknown command ${req.cmd}`);
        return handler(req.args);
      })
      .then(
        (result) => send({ seq: req.seq, ok: true, result } satisfies Reply),
        (err: unknown) => send({ seq: req.seq, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply),
      );
  });
  // The bench is gone (finished, failed or killed): so is this child.
  process.on('disconnect', () => process.exit(0));
  send({ ready });
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** What the child reported when it became ready. */
  ready: Promise<unknown>;
  call<T>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  kill(): void;
}

const children = new Set<Child>();

/** Kills every child still running; safe to call more than once. */
export function killAll(): void {
  for (const child of children) child.kill();
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** Node options, e.g. ['--import', 'tsx'] for a TypeScript entry. */
  execArgv?: string[];
  readyTimeoutMs?: number;
}

/** Starts an entry in its own Node process; it must call serveRpc. */
export function startChild(name: string, entry: string, args: string[], options: ChildOptions = {}): Child {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const proc = fork(entry, args, {
    execArgv: options.execArgv ?? [],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let exited: Error | null = null;
  let readyResolve: (v: unknown) => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const ready = new Promise<unknown>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  const readyTimer = setTimeout(() => readyReject(new Error(`${name} did not start within ${readyTimeoutMs} ms`)), readyTimeoutMs);
  ready.then(
    () => clearTimeout(readyTimer),
    () => clearTimeout(readyTimer),
  );

  proc.on('message', (raw) => {
    const message = raw as Reply | { ready: unknown };
    if ('ready' in message) {
      readyResolve(message.ready);
      return;
    }
    const waiter = pending.get(message.seq);
    if (!waiter) return;
    pending.delete(message.seq);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${name}: ${message.error}`));
  });
  proc.on('exit', (code, signal) => {
    exited = new Error(`${name} exited (code ${code}, signal ${signal})`);
    readyReject(exited);
    for (const waiter of pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(exited);
    }
    pending.clear();
    children.delete(child);
  });

  const child: Child = {
    name,
    process: proc,
    ready,
    call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
      if (exited) return Promise.reject(exited);
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.send({ seq: id, cmd, args } satisfies Request);
      });
    },
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      children.delete(child);
    },
  };
  children.add(child);
  return child;
}
