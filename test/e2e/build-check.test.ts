// BuildKit's build checks through the CLI, as a user meets them: `ocibake build --check` reports
// and exits 1 without building, a normal build prints the findings as warnings, and the
// `# check=` directive skips rules or turns findings into a failed build before anything runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextDir } from '../harness/context-dir.js';
import { alpineBaseFlag } from '../harness/alpine-index.js';
import { cleanFailure, ocibake } from '../harness/cli.js';

let work: string;
let alpine: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-check-'));
  alpine = await alpineBaseFlag();
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const context = (name: string, dockerfile: string): string => contextDir(work, name, dockerfile);

const FINDINGS = ['FROM alpine:3.20 as build', 'MAINTAINER someone', 'ENV mode fast', 'RUN echo hi > /hi', 'FROM scratch', 'COPY --from=build /hi /', ''].join(
  '\n',
);

test('--check reports each finding with its rule, line and URL, exits 1, and builds nothing', async () => {
  const ctx = context('findings', FINDINGS);
  const cache = join(work, 'check-cache');
  // An unreachable registry for the base: --check never resolves images.
  const run = await ocibake(['build', ctx, '--check', '--base', 'alpine=127.0.0.1:1/alpine:3.20', '-o', `type=oci,dest=${join(work, 'never')}`], {
    env: { OCIBAKE_CACHE: cache },
  });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^WARN: FromAsCasing: 'as' and 'FROM' keywords' casing do not match \(.*Dockerfile:1\)$/m);
  assert.match(run.stderr, /^WARN: MaintainerDeprecated: .*\(.*Dockerfile:2\)$/m);
  assert.match(run.stderr, /^WARN: LegacyKeyValueFormat: "ENV key=value" should be used .*\(.*Dockerfile:3\)$/m);
  assert.match(run.stderr, /More info: https:\/\/docs\.docker\.com\/go\/dockerfile\/rule\/from-as-casing\//);
  assert.match(run.stderr, /^Check complete, 3 warnings have been found!$/m);
  assert.equal(existsSync(join(work, 'never')), false, 'nothing was built');
  assert.doesNotMatch(run.stderr, /127\.0\.0\.1:1/, 'no registry was contacted');
});

test('--check on a clean Dockerfile says so and exits 0', async () => {
  const ctx = context('clean', 'FROM alpine:3.20 AS build\nRUN echo hi > /hi\nFROM scratch\nCOPY --from=build /hi /\n');
  const run = await ocibake(['build', ctx, '--check'], { env: { OCIBAKE_CACHE: join(work, 'clean-cache') } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^Check complete, no warnings found\.$/m);
});

test('# check=skip= drops the named rules; a normal build prints the rest as warnings and succeeds', async () => {
  const ctx = context('skip', `# check=skip=FromAsCasing,MaintainerDeprecated\n${FINDINGS}`);
  const checked = await ocibake(['build', ctx, '--check'], { env: { OCIBAKE_CACHE: join(work, 'skip-cache') } });
  assert.equal(checked.code, 1);
  assert.doesNotMatch(checked.stderr, /FromAsCasing|MaintainerDeprecated/);
  assert.match(checked.stderr, /^Check complete, 1 warning has been found!$/m);

  const built = await ocibake(['build', ctx, '--base', alpine, '-o', `type=oci,dest=${join(work, 'skip-out')}`, '--progress', 'plain'], {
    env: { OCIBAKE_CACHE: join(work, 'skip-cache') },
  });
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /^warning: .*Dockerfile:4: LegacyKeyValueFormat: /m, 'the warning names the line (the directive shifts it to 4)');
  assert.ok(existsSync(join(work, 'skip-out', 'index.json')));
});

test('# check=error=true fails the build on a finding, before any step runs', async () => {
  const ctx = context('error', `# check=error=true\n${FINDINGS}`);
  const run = await ocibake(['build', ctx, '--base', alpine, '-o', `type=oci,dest=${join(work, 'error-out')}`, '--progress', 'plain'], {
    env: { OCIBAKE_CACHE: join(work, 'error-cache') },
  });
  assert.equal(cleanFailure(run), undefined);
  assert.match(run.stderr, /^error: lint violation found for rules: FromAsCasing, MaintainerDeprecated, LegacyKeyValueFormat$/m);
  assert.match(run.stderr, /^hint: .*error=true/m);
  assert.doesNotMatch(run.stderr, /RUN echo hi/, 'no step ran');
  assert.equal(existsSync(join(work, 'error-out')), false);
});
