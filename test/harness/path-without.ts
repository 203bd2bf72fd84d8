// A PATH with some host commands taken out, to prove a build does not use them: every PATH
// directory is mirrored as symlinks, minus the named commands.
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `pathWithout` mirrors each directory of `path` under `dir` as symlinks, skipping `commands`,
 * and returns the new PATH value.
 *
 *   const PATH = pathWithout(join(work, 'path'), ['go', 'gofmt']); // `go` is not found on it
 */
export function pathWithout(dir: string, commands: readonly string[], path = process.env['PATH'] ?? '/usr/bin:/bin'): string {
  const skip = new Set(commands);
  const dirs: string[] = [];
  for (const [i, src] of path.split(':').filter(Boolean).entries()) {
    const mirror = join(dir, String(i));
    mkdirSync(mirror, { recursive: true });
    let names: string[];
    try {
      names = readdirSync(src);
    } catch {
      continue;
    }
    for (const n of names) if (!skip.has(n)) symlinkSync(join(src, n), join(mirror, n));
    dirs.push(mirror);
  }
  return dirs.join(':');
}
