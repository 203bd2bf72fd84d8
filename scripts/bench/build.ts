// Benchmark: the same two-platform build (COPY-only final stage over prebuilt Go binaries plus a
// 64 MB asset layer, on an Alpine base in a local registry, pushed there) with ocibake and with
// buildah (`build --isolation chroot --storage-driver vfs --manifest` + `manifest push --all`),
// in the same run. Prints both times, the ratio, and ocibake's no-change rebuild time.
// Usage: npm run build && node dist/scripts/bench/build.js [assetMiB]
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startRegistry } from '../../test/harness/registry.js';
import { seedAlpine } from '../../test/harness/alpine-index.js';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const assetMiB = Number(process.argv[2] ?? 64);

async function timed(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const t0 = performance.now();
  try {
    await run(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${label} failed: ${(e.stderr ?? e.message).slice(-3000)}`);
  }
  return (performance.now() - t0) / 1000;
}

const work = mkdtempSync(join(tmpdir(), 'ocibake-bench-build-'));
const reg = await startRegistry('anonymous');
try {
  await seedAlpine(reg.host, 'library/alpine', '3.20.3');
  const ctx = join(work, 'ctx');
  mkdirSync(join(ctx, 'bin'), { recursive: true });
  mkdirSync(join(ctx, 'assets'), { recursive: true });
  for (const arch of ['amd64', 'arm64']) {
    await run('go', ['build', '-trimpath', '-o', join(ctx, 'bin', `main-${arch}`), '.'], {
      cwd: join(root, 'examples', 'go'),
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: arch, GOCACHE: join(work, 'gocache') },
    });
  }
  const chunk = 8 * 1024 * 1024;
  for (let i = 0; i < Math.ceil(assetMiB / 8); i++) writeFileSync(join(ctx, 'assets', `asset-${i}.bin`), randomFillSync(Buffer.alloc(chunk)));
  writeFileSync(
    join(ctx, 'Dockerfile'),
    [`FROM ${reg.host}/library/alpine:3.20.3`, 'ARG TARGETARCH', 'COPY bin/main-${TARGETARCH} /main', 'COPY assets/ /assets/', 'ENTRYPOINT ["/main"]', ''].join(
      '\n',
    ),
  );
  const platforms = 'linux/amd64,linux/arm64';

  const cache = join(work, 'ocibake-cache');
  const ocibakeCold = await timed(
    'ocibake',
    process.execPath,
    [cli, 'build', ctx, '--platform', platforms, '-t', `${reg.host}/app-ocibake:1`, '--push', '-q'],
    { OCIBAKE_CACHE: cache },
  );
  const ocibakeWarm = await timed(
    'ocibake rebuild',
    process.execPath,
    [cli, 'build', ctx, '--platform', platforms, '-t', `${reg.host}/app-ocibake:1`, '--push', '-q'],
    { OCIBAKE_CACHE: cache },
  );

  const broot = join(work, 'buildah-root');
  const storage = ['--storage-driver', 'vfs', '--root', join(broot, 'root'), '--runroot', join(broot, 'run')];
  const buildah = async (): Promise<number> => {
    const t0 = performance.now();
    await timed('buildah build', 'buildah', [
      ...storage,
      'build',
      '--isolation',
      'chroot',
      '--tls-verify=false',
      '--platform',
      platforms,
      '--manifest',
      'bench-list',
      ctx,
    ]);
    await timed('buildah manifest push', 'buildah', [
      ...storage,
      'manifest',
      'push',
      '--all',
      '--tls-verify=false',
      'bench-list',
      `docker://${reg.host}/app-buildah:1`,
    ]);
    return (performance.now() - t0) / 1000;
  };
  const buildahTime = await buildah();
  await run('buildah', [...storage, 'rm', '--all']).catch(() => undefined);

  console.log(`two-platform COPY-only build + push, ${assetMiB} MiB asset layer, alpine base in a local registry`);
  console.log(`  ocibake (cold cache)        ${ocibakeCold.toFixed(2)} s`);
  console.log(`  buildah (chroot, vfs)       ${buildahTime.toFixed(2)} s`);
  console.log(`  ratio ocibake/buildah       ${(ocibakeCold / buildahTime).toFixed(2)}x   (target <= 0.5x)`);
  console.log(`  ocibake no-change rebuild   ${ocibakeWarm.toFixed(2)} s   (target < 1 s)`);
} finally {
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
}
