// A copy of the built CLI that any host user can run. A fresh clone may sit in a 0700 directory
// (`mktemp -d` makes those), and then other users cannot reach dist/ however its own modes are.
// The copy holds what `npm install ocibake` would: package.json, the published dist/ folders
// and the production dependencies only (a few MB, not the dev toolchain).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './cli.js';

/**
 * `readableInstall` copies the runnable package into `dest` (made world-readable) and returns its
 * CLI entry. `extra` are more files of dist/ to copy to the same place (a test's child script).
 */
export function readableInstall(dest: string, extra: readonly string[] = []): string {
  mkdirSync(dest, { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(dest, 'package.json'));
  for (const d of ['cli', 'lib', 'registry', ...extra]) cpSync(join(repoRoot, 'dist', d), join(dest, 'dist', d), { recursive: true });
  const deps = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter((p) => p !== '' && p !== repoRoot);
  for (const p of deps) cpSync(p, join(dest, relative(repoRoot, p)), { recursive: true, dereference: false });
  chmodSync(dest, 0o755);
  execFileSync('chmod', ['-R', 'a+rX', dest]);
  return join(dest, 'dist', 'cli', 'main.js');
}
