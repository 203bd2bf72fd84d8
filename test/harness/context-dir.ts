// Build contexts for end-to-end tests: a directory with a Dockerfile and a few files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `contextDir` makes `root/name` holding `dockerfile` as its Dockerfile, plus `files` (name → content); returns its path. */
export function contextDir(root: string, name: string, dockerfile: string, files: Record<string, string | Buffer> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [f, body] of Object.entries(files)) writeFileSync(join(dir, f), body);
  return dir;
}
