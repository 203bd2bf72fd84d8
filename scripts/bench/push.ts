// Benchmark: push the same ~200 MB two-platform OCI layout to an empty local registry with
// `ocibake push` and with `skopeo copy --all`, in the same run, and print both and the ratio.
// Usage: npm run build && node dist/scripts/bench/push.js [totalMiB] [ocibake --concurrency]
import { execFile } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startRegistry } from '../../test/harness/registry.js';

const run = promisify(execFile);
const cli = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');

function blob(dir: string, bytes: Buffer, mediaType: string) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

/** Writes the layout by hand (no ocibake code): per platform `layers` gzip layers of random data. */
function makeLayout(dir: string, totalMiB: number): number {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const platforms = ['amd64', 'arm64'];
  const layers = 4;
  const layerBytes = Math.floor((totalMiB * 1024 * 1024) / (platforms.length * layers));
  let total = 0;
  const manifests = [];
  for (const architecture of platforms) {
    const descs = [];
    const diffIds = [];
    for (let i = 0; i < layers; i++) {
      const raw = randomFillSync(Buffer.alloc(layerBytes));
      diffIds.push(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
      const d = blob(dir, gzipSync(raw, { level: 1 }), 'application/vnd.oci.image.layer.v1.tar+gzip');
      total += d.size;
      descs.push(d);
    }
    const config = blob(dir, Buffer.from(JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } })), 'application/vnd.oci.image.config.v1+json');
    const manifest = blob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: descs })), 'application/vnd.oci.image.manifest.v1+json');
    manifests.push({ ...manifest, platform: { architecture, os: 'linux' } });
  }
  const index = blob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })), 'application/vnd.oci.image.index.v1+json');
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] }));
  return total;
}

async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const totalMiB = Number(process.argv[2] ?? 200);
  const concurrency = process.argv[3] ?? '4';
  const tmp = mkdtempSync(join(tmpdir(), 'ocibake-bench-push-'));
  const layout = join(tmp, 'layout');
  const [a, b] = await Promise.all([startRegistry('anonymous'), startRegistry('anonymous')]);
  try {
    const bytes = makeLayout(layout, totalMiB);
    const authEnv = { REGISTRY_AUTH_FILE: join(tmp, 'auth.json') };
    const ours = await timed(process.execPath, [cli, 'push', `${layout}:bench`, `${a.host}/bench/app:1`, '--progress', 'quiet', '--concurrency', concurrency]);
    const theirs = await timed('skopeo', ['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://${b.host}/bench/app:1`], authEnv);
    const again = await timed(process.execPath, [cli, 'push', `${layout}:bench`, `${a.host}/bench/app:2`, '--progress', 'quiet']);
    const mb = bytes / 1e6;
    console.log(`ocibake --concurrency ${concurrency}`);
    console.log(`layout: 2 platforms, 8 layers, ${mb.toFixed(1)} MB`);
    console.log(`ocibake push        ${ours.toFixed(2)} s  (${(mb / ours).toFixed(0)} MB/s)`);
    console.log(`skopeo copy --all   ${theirs.toFixed(2)} s  (${(mb / theirs).toFixed(0)} MB/s)`);
    console.log(`ratio ocibake/skopeo ${(ours / theirs).toFixed(2)}x (target <= 1.0x)`);
    console.log(`ocibake second push (HEADs only) ${again.toFixed(2)} s`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
