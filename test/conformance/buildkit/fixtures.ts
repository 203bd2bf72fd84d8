// Where BuildKit's frontend test data lives: $OCIBAKE_BUILDKIT_FIXTURES, else ../shared/fixtures/buildkit
// beside the repository. The data is not copied into this repository (see its README there).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `repoRoot` is the directory holding this repository's package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the conformance test');
    dir = up;
  }
  return dir;
}

/** `fixturesDir` is the BuildKit fixture directory; it throws when the data is missing, so CI fails rather than skips. */
export function fixturesDir(): string {
  const dir = process.env['OCIBAKE_BUILDKIT_FIXTURES'] ?? resolve(repoRoot(), '..', 'shared', 'fixtures', 'buildkit');
  if (!existsSync(join(dir, 'moby-buildkit', 'tables.json')) || !existsSync(join(dir, 'moby-patternmatcher', 'cases.json'))) {
    throw new Error(
      `BuildKit conformance data not found in ${dir}: set OCIBAKE_BUILDKIT_FIXTURES to the directory holding moby-buildkit/ and moby-patternmatcher/`,
    );
  }
  return dir;
}

/** `Fixtures` reads files below the fixture directory. */
export class Fixtures {
  readonly dir: string;
  constructor(dir = fixturesDir()) {
    this.dir = dir;
  }
  text(rel: string): string {
    return readFileSync(join(this.dir, rel), 'utf8');
  }
  json(rel: string): unknown {
    return JSON.parse(this.text(rel));
  }
  dirs(rel: string): string[] {
    return readdirSync(join(this.dir, rel), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }
  exists(rel: string): boolean {
    return existsSync(join(this.dir, rel));
  }
}

/** `Case` is one conformance case: it throws when ocibake disagrees with BuildKit. */
export interface Case {
  id: string;
  group: string;
  run(): void;
}
