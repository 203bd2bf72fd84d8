// Runs the built CLI (dist/cli/main.js) as a child process, as a user would.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `cliPath` is the built CLI entry, for tests that spawn it themselves (to signal it mid-build). */
export const cliPath = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');
const main = cliPath;

/** The outcome of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ocibake` runs the CLI with args, optional stdin and extra env; it never throws on a non-zero exit. */
export function ocibake(args: string[], o: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [main, ...args],
      { env: { ...process.env, ...o.env }, cwd: o.cwd ?? join(main, '..'), maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
    child.stdin?.end(o.stdin ?? '');
  });
}

/** Repository root (tests run from dist/test/…). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `cleanFailure` checks a failed run: non-zero, an `error:` line, no stack trace. Returns what is wrong, or undefined. */
export function cleanFailure(run: CliResult): string | undefined {
  if (run.code === 0) return 'exited 0';
  if (!/^error: /m.test(run.stderr)) return `no "error:" line in:\n${run.stderr}`;
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(run.stderr)) return `stack trace printed:\n${run.stderr}`;
  return undefined;
}
