// Fuzz: seeded random mutations of the corpus must either parse+plan or fail with an OcibakeError.
// Anything else (TypeError, RangeError, a hang) is a bug in the frontend. Bounded by count and time;
// set OCIBAKE_FUZZ_SEED / OCIBAKE_FUZZ_COUNT to replay or to run longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { planBuild } from '../../../../lib/plan/plan.js';
import { checkNoRunInTargetStages } from '../../../../lib/plan/check.js';
import { isOcibakeError } from '../../../../lib/errors.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
const corpusDir = join(root, 'test', 'fixtures', 'dockerfiles');
const corpus = readdirSync(corpusDir)
  .filter((n) => existsSync(join(corpusDir, n, 'Dockerfile')))
  .sort()
  .map((n) => readFileSync(join(corpusDir, n, 'Dockerfile'), 'utf8'));

const SEED = Number(process.env['OCIBAKE_FUZZ_SEED'] ?? 20261125);
const COUNT = Number(process.env['OCIBAKE_FUZZ_COUNT'] ?? 4000);
const TIME_BUDGET_MS = 20_000;

/** mulberry32: small, seedable, good enough to pick mutations reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '$',
  '${',
  '}',
  '${A:-',
  '${A:?',
  '${A#',
  '${A/',
  '"',
  "'",
  '\\',
  '`',
  '\n',
  '\\\n',
  '\t',
  ' ',
  '[',
  ']',
  '["a"]',
  '[",',
  '<<',
  '<<EOF',
  '<<-EOF',
  "<<'EOF'",
  'EOF\n',
  '--',
  '--from=',
  '--mount=',
  '--mount=type=cache',
  '--platform=',
  '--platform=$TARGETPLATFORM',
  '--chmod=',
  '--link',
  '=',
  ',',
  '#',
  '# escape=`\n',
  '# escape=\\\n',
  'FROM ',
  'FROM scratch AS x\n',
  'AS ',
  'ARG ',
  'ENV ',
  'COPY ',
  'RUN ',
  'ONBUILD ',
  'HEALTHCHECK ',
  'SHELL ',
  'WORKDIR ',
  'EXPOSE ',
  '\u0000',
  '\uFEFF',
  '\u00e9',
  '\r\n',
  '0',
  '99',
  '..',
  '/',
  ':',
  '@',
];

function mutate(text: string, r: () => number): string {
  let s = text;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 7);
    if (op === 0) s = s.slice(0, pos) + TOKENS[Math.floor(r() * TOKENS.length)]! + s.slice(pos);
    else if (op === 1) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(r() * 12));
    else if (op === 2) s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 128)) + s.slice(pos + 1);
    else if (op === 3) {
      const lines = s.split('\n');
      const i = Math.floor(r() * lines.length);
      const j = Math.floor(r() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      s = lines.join('\n');
    } else if (op === 4) {
      const lines = s.split('\n');
      const i = Math.floor(r() * lines.length);
      lines.splice(i, 0, lines[Math.floor(r() * lines.length)]!);
      s = lines.join('\n');
    } else if (op === 5) s = s.slice(0, pos);
    else s = s.slice(0, pos) + s.slice(pos, pos + 40).toLowerCase() + s.slice(pos + 40);
  }
  return s;
}

test(`fuzz: ${COUNT} seeded mutations of ${corpus.length} Dockerfiles throw only typed errors (seed ${SEED})`, () => {
  assert.ok(corpus.length >= 40);
  const r = rng(SEED);
  const started = performance.now();
  let ok = 0;
  let typed = 0;
  let ran = 0;
  const codes = new Map<string, number>();
  for (; ran < COUNT && performance.now() - started < TIME_BUDGET_MS; ran++) {
    const text = mutate(corpus[Math.floor(r() * corpus.length)]!, r);
    try {
      const plan = planBuild(parseDockerfile(text, 'Dockerfile'), {
        platforms: [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64' },
        ],
        buildPlatform: { os: 'linux', architecture: 'amd64' },
        env: {},
      });
      checkNoRunInTargetStages(plan);
      ok++;
    } catch (err) {
      if (!isOcibakeError(err)) {
        assert.fail(`mutant #${ran} (seed ${SEED}) threw ${err instanceof Error ? err.stack : String(err)}\n--- input ---\n${text}`);
      }
      const line = (err as { line?: unknown }).line;
      if (typeof line === 'number') {
        assert.ok(line >= 0 && line <= text.split('\n').length, `mutant #${ran}: error line ${line} outside the file\n${text}`);
      }
      typed++;
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
    }
  }
  assert.ok(ran >= Math.min(COUNT, 500), `only ${ran} mutants in the time budget`);
  assert.ok(ok > 0 && typed > 0, `mutations should produce both valid and invalid files (ok ${ok}, typed ${typed})`);
  console.log(
    `fuzz: ${ran} mutants in ${Math.round(performance.now() - started)} ms: ${ok} valid, ${typed} typed errors ${JSON.stringify(Object.fromEntries(codes))}`,
  );
});
