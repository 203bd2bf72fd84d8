import { spawn } from 'node:child_process';
import type { ExecRequest, ExecResult } from './executor.js';
import { ExecError } from './errors.js';

/**
 * `spawnRun` starts one RUN process in its own process group with exactly `req.env`, streams its
 * output to the request's callbacks, and kills the whole group when `req.signal` aborts (a RUN
 * that forks compilers must not outlive a cancelled build).
 */
export function spawnRun(cmd: string, args: string[], req: ExecRequest, cwd?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new ExecError('OCIBAKE_EXEC', 'the build was cancelled'));
      return;
    }
    const child = spawn(cmd, args, { env: req.env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    req.signal?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (c: Buffer) => req.onStdout(c));
    child.stderr.on('data', (c: Buffer) => req.onStderr(c));
    child.on('error', (err) => {
      req.signal?.removeEventListener('abort', kill);
      reject(new ExecError('OCIBAKE_EXEC', `starting ${cmd}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, sig) => {
      req.signal?.removeEventListener('abort', kill);
      resolve({ exitCode: code, signal: sig });
    });
  });
}
