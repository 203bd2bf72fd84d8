// Malformed-input suite: every test/fixtures/dockerfiles-bad/<case> must fail with a typed
// DockerfileError carrying the expected code and line (parse, plan for amd64+arm64, RUN check),
// never a crash or a bare Error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { DockerfileError } from '../../../../lib/dockerfile/errors.js';
import { planBuild } from '../../../../lib/plan/plan.js';
import { checkNoRunInTargetStages } from '../../../../lib/plan/check.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
const dir = join(root, 'test', 'fixtures', 'dockerfiles-bad');
const cases = readdirSync(dir)
  .filter((n) => existsSync(join(dir, n, 'error.json')))
  .sort();

interface Expected {
  code: string;
  line: number;
  message: string;
  generate?: string;
}

function input(name: string, want: Expected): string {
  if (want.generate === undefined) return readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
  // A 10 MiB line is generated, not committed.
  return `FROM alpine\n\nRUN echo ${'x'.repeat(10 * 1024 * 1024)}\n`;
}

function build(text: string): void {
  const plan = planBuild(parseDockerfile(text, 'Dockerfile'), {
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    buildPlatform: { os: 'linux', architecture: 'amd64' },
    env: {},
  });
  checkNoRunInTargetStages(plan);
}

test('the malformed suite has at least 30 cases', () => {
  assert.ok(cases.length >= 30, `only ${cases.length}`);
});

for (const name of cases) {
  test(`malformed ${name}`, () => {
    const want = JSON.parse(readFileSync(join(dir, name, 'error.json'), 'utf8')) as Expected;
    const started = performance.now();
    assert.throws(
      () => build(input(name, want)),
      (e: unknown) => {
        assert.ok(e instanceof DockerfileError, `expected DockerfileError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        assert.equal(e.code, want.code);
        assert.equal(e.line, want.line);
        assert.ok(e.message.includes(want.message), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(want.message)}`);
        assert.ok(e.message.startsWith(`Dockerfile:${want.line}:`), e.message);
        assert.ok(e.message.length < 1000, 'the quoted line is clipped');
        return true;
      },
    );
    assert.ok(performance.now() - started < 5000, 'fails fast');
  });
}
