// Runs the built CLI as a user would (a child process), capturing its output.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/…). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cliMain = join(repoRoot, 'dist', 'cli', 'main.js');

/** What one CLI run printed and how it exited. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `ocibake` runs `node dist/cli/main.js ARGS` with extra environment variables. */
export function ocibake(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** `expectCleanFailure` checks a failed run: non-zero, an `error:` line, a hint, no stack trace. */
export function cleanFailure(run: CliRun): string | undefined {
  if (run.status === 0) return 'exited 0';
  if (!/^error: /m.test(run.stderr)) return `no "error:" line in:\n${run.stderr}`;
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(run.stderr)) return `stack trace printed:\n${run.stderr}`;
  return undefined;
}
