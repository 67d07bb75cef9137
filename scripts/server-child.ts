/**
 * Starts and stops scripts/bench-server.ts as a child process, for the benchmark and the crash
 * harness: the server's environment is the parent's plus the given overrides, and the child is
 * ready when it prints its `{"ready":true,…}` line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ServerChild {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code or signal when the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** The settings every load test uses: no proof of work, no practical rate limit, no demo data. */
export const LOAD_TEST_ENV = {
  POW_REQUIRED: '0',
  RATE_LIMIT_MAX: '1000000000',
  DEMO_DATA: '0',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
} as const;

const SCRIPT = join(import.meta.dirname, 'bench-server.ts');

export function startServerChild(
  env: Record<string, string>,
  options: { site?: boolean; timeoutMs?: number } = {},
): Promise<ServerChild> {
  const child = spawn(process.execPath, [SCRIPT, ...(options.site ? ['--site'] : [])], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise<ServerChild>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      const ready = JSON.parse(line) as { url: string; pid: number };
      resolve({ url: ready.url, pid: ready.pid, child, exited });
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${String(how)}) before it was ready\n${stderr}`));
    });
  });
}

/** SIGTERM (clean stop), or SIGKILL, and wait until the process is gone. */
export async function stopServerChild(s: ServerChild, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill(signal);
  await s.exited;
}
