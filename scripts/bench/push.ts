// Benchmark: push the same ~200 MB two-platform OCI layout to an empty local registry with
// `ocibake push` and with `skopeo copy --all`, in the same run, and print both and the ratio.
// Usage: npm run build && node dist/scripts/bench/push.js [totalMiB] [ocibake --concurrency]
import { execFile } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
    const config = blob(
      dir,
      Buffer.from(JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } })),
      'application/vnd.oci.image.config.v1+json',
    );
    const manifest = blob(
      dir,
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: descs })),
      'application/vnd.oci.image.manifest.v1+json',
    );
    manifests.push({ ...manifest, platform: { architecture, os: 'linux' } });
  }
  const index = blob(
    dir,
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })),
    'application/vnd.oci.image.index.v1+json',
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] }),
  );
  return total;
}

/** Wall seconds, and CPU seconds (user+sys, children included) when /usr/bin/time is there. */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ wall: number; cpu: number | undefined }> {
  const withTime = existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const { stderr } = await run(withTime ? '/usr/bin/time' : cmd, withTime ? ['-f', 'CPU %U %S', cmd, ...args] : args, {
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : undefined };
}

async function main(): Promise<void> {
  const totalMiB = Number(process.argv[2] ?? 200);
  const concurrency = process.argv[3] ?? '6';
  const tmp = mkdtempSync(join(tmpdir(), 'ocibake-bench-push-'));
  const layout = join(tmp, 'layout');
  // Two rounds, each tool to its own empty registry, interleaved so page-cache and writeback
  // effects of writing the layout do not favour whichever tool runs second.
  const regs = await Promise.all([0, 1, 2, 3].map(() => startRegistry('anonymous')));
  try {
    const bytes = makeLayout(layout, totalMiB);
    await run('sync', []);
    const authEnv = { REGISTRY_AUTH_FILE: join(tmp, 'auth.json') };
    const ours: Awaited<ReturnType<typeof timed>>[] = [];
    const theirs: Awaited<ReturnType<typeof timed>>[] = [];
    for (let round = 0; round < 2; round++) {
      ours.push(
        await timed(process.execPath, [
          cli,
          'push',
          `${layout}:bench`,
          `${regs[round * 2]!.host}/bench/app:1`,
          '--progress',
          'quiet',
          '--concurrency',
          concurrency,
        ]),
      );
      theirs.push(
        await timed(
          'skopeo',
          ['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://${regs[round * 2 + 1]!.host}/bench/app:1`],
          authEnv,
        ),
      );
    }
    const again = await timed(process.execPath, [cli, 'push', `${layout}:bench`, `${regs[0]!.host}/bench/app:2`, '--progress', 'quiet']);
    const mb = bytes / 1e6;
    const best = (ts: { wall: number; cpu: number | undefined }[]) => ts.reduce((a, b) => (b.wall < a.wall ? b : a));
    const line = (name: string, t: { wall: number; cpu: number | undefined }) =>
      `${name.padEnd(34)} ${t.wall.toFixed(2)} s  (${(mb / t.wall).toFixed(0)} MB/s)${t.cpu === undefined ? '' : `  cpu ${t.cpu.toFixed(2)} s`}`;
    console.log(`layout: 2 platforms, 8 layers, ${mb.toFixed(1)} MB; ocibake --concurrency ${concurrency}; load ${loadavg()[0]!.toFixed(1)}`);
    ours.forEach((t, i) => console.log(line(`ocibake push (round ${i + 1})`, t)));
    theirs.forEach((t, i) => console.log(line(`skopeo copy --all (round ${i + 1})`, t)));
    const o = best(ours);
    const t = best(theirs);
    console.log(
      `ratio ocibake/skopeo (best of 2 each): wall ${(o.wall / t.wall).toFixed(2)}x${o.cpu && t.cpu ? `, cpu ${(o.cpu / t.cpu).toFixed(2)}x` : ''} (target <= 1.0x)`,
    );
    console.log(line('ocibake second push (HEADs only)', again));
  } finally {
    await Promise.all(regs.map((r) => r.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
