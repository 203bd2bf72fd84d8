// Benchmark: the shared step cache between two CI "runners" (separate processes, each with an
// empty local cache) in the same run. Runner 1 builds a 3-platform Go Dockerfile cold (build stage
// in a Debian golang-go image made with mmdebstrap, final Alpine stage with RUN adduser, emulated
// for arm64 and arm/v7) and exports `--cache-to type=registry,mode=max`; runner 2 builds the same
// context with `--cache-from`. Prints both times, the ratio (target <= 0.15), and the bytes each
// runner moved: uploaded (the push summaries of its image and of its cache export) and what its
// local cache held at the end (downloads plus what it built itself).
// Usage: npm run build && node dist/scripts/bench/cache.js
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startRegistry } from '../../test/harness/registry.js';
import { seedAlpine } from '../../test/harness/alpine-index.js';
import { debianImage } from '../../test/harness/debian-image.js';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');

interface Runner {
  seconds: number;
  uploaded: number;
  cacheUploaded: number;
  cacheEntries: number;
  local: number;
  stepsRun: number;
  digest: string;
}

/** Bytes in a local cache's blob store: everything the runner downloaded or built. */
function blobBytes(cache: string): number {
  const dir = join(cache, 'blobs', 'sha256');
  try {
    return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

async function runner(args: string[], cache: string): Promise<Runner> {
  const t0 = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, [cli, 'build', ...args, '--progress', 'json'], {
      env: { ...process.env, OCIBAKE_CACHE: cache },
      maxBuffer: 256 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ocibake build failed: ${(e.stderr ?? e.message).slice(-3000)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  interface Pushed {
    blobs?: { bytes: number };
  }
  const s = JSON.parse(stdout) as { digest: string; stats: { stepsRun: number }; outputs: Pushed[]; caches?: { entries: number; published: Pushed[] }[] };
  const bytes = (ps: Pushed[]): number => ps.reduce((n, o) => n + (o.blobs?.bytes ?? 0), 0);
  return {
    seconds,
    uploaded: bytes(s.outputs),
    cacheUploaded: (s.caches ?? []).reduce((n, c) => n + bytes(c.published), 0),
    cacheEntries: (s.caches ?? []).reduce((n, c) => n + c.entries, 0),
    local: blobBytes(cache),
    stepsRun: s.stats.stepsRun,
    digest: s.digest,
  };
}

const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
const work = mkdtempSync(join(tmpdir(), 'ocibake-bench-cache-'));
const reg = await startRegistry('anonymous');
try {
  await seedAlpine(reg.host, 'library/alpine', '3.20.3');
  await debianImage({ registry: reg, repo: 'library/golang', tag: '1.22-bookworm', platforms: [{ arch: 'amd64', include: ['golang-go'] }] });
  const ctx = join(work, 'ctx');
  mkdirSync(ctx);
  for (const f of ['Dockerfile', 'go.mod', 'main.go']) copyFileSync(join(root, 'examples', 'go', f), join(ctx, f));
  const common = [
    ctx,
    '--platform',
    'linux/amd64,linux/arm64,linux/arm/v7',
    '--base',
    `alpine=${reg.host}/library/alpine:3.20.3`,
    '--base',
    `golang:1.22-bookworm=${reg.host}/library/golang:1.22-bookworm`,
  ];
  const cacheRef = `${reg.host}/app:buildcache`;
  const one = await runner([...common, '-t', `${reg.host}/app:1`, '--push', '--cache-to', `type=registry,ref=${cacheRef},mode=max`], join(work, 'runner-1'));
  const two = await runner([...common, '-t', `${reg.host}/app:2`, '--push', '--cache-from', cacheRef], join(work, 'runner-2'));
  if (two.digest !== one.digest) throw new Error(`runner 2 built ${two.digest}, runner 1 ${one.digest}: the cache changed the image`);

  console.log('3-platform Go build (Debian golang-go build stage, Alpine final stage with RUN adduser), pushed to a local registry');
  console.log(
    `  runner 1 (cold, --cache-to mode=max)   ${one.seconds.toFixed(2)} s   ${one.stepsRun} steps run   uploaded ${mb(one.uploaded)} image + ${mb(one.cacheUploaded)} cache (${one.cacheEntries} steps)   local cache ${mb(one.local)}`,
  );
  console.log(
    `  runner 2 (empty cache, --cache-from)   ${two.seconds.toFixed(2)} s   ${two.stepsRun} steps run   uploaded ${mb(two.uploaded)} image + ${mb(two.cacheUploaded)} cache   local cache ${mb(two.local)}`,
  );
  console.log(`  ratio runner 2 / runner 1              ${(two.seconds / one.seconds).toFixed(3)}x   (target <= 0.15x)`);
  console.log(`  same index digest                      ${two.digest === one.digest ? 'yes' : 'NO'}`);
} finally {
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
}
