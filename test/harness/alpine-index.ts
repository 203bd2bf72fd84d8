// Builds a real multi-arch Alpine 3.20.3 OCI layout from test/fixtures/alpine/*.tar.gz without
// any ocibake code (umoci for each per-arch image, an index written here as plain JSON with
// platform fields), and seeds it into a registry with `skopeo copy --all`. End-to-end build tests
// reuse it as their base image.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';

const run = promisify(execFile);
const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'alpine');

/** The platforms of the fixture, with the minirootfs file each is built from. */
export const ALPINE_PLATFORMS = [
  { file: 'alpine-minirootfs-3.20.3-x86_64.tar.gz', os: 'linux', architecture: 'amd64', tag: 'amd64' },
  { file: 'alpine-minirootfs-3.20.3-aarch64.tar.gz', os: 'linux', architecture: 'arm64', tag: 'arm64' },
  { file: 'alpine-minirootfs-3.20.3-armv7.tar.gz', os: 'linux', architecture: 'arm', variant: 'v7', tag: 'armv7' },
] as const;

/** What `alpineLayout` made. */
export interface AlpineLayout {
  dir: string;
  /** The tag of the multi-arch index in the layout. */
  tag: string;
  indexDigest: string;
  /** Per-platform manifest digests, keyed `os/arch[/variant]`. */
  manifests: Record<string, string>;
}

async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${cmd} is not installed; install it with apt-get (see .ci/run)`);
    throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/**
 * `alpineLayout` writes the multi-arch Alpine layout into `dir` (created; must be new or empty)
 * and returns its index digest. The index is tagged `latest`; per-arch images keep their own tags.
 */
export async function alpineLayout(dir: string): Promise<AlpineLayout> {
  const work = mkdtempSync(join(tmpdir(), 'ocibake-alpine-'));
  try {
    await tool('umoci', ['init', '--layout', dir]);
    const entries: Record<string, unknown>[] = [];
    const manifests: Record<string, string> = {};
    for (const p of ALPINE_PLATFORMS) {
      const tar = join(work, `${p.tag}.tar`);
      await pipeline(createReadStream(join(fixtures, p.file)), createGunzip(), createWriteStream(tar));
      const image = `${dir}:${p.tag}`;
      await tool('umoci', ['new', '--image', image]);
      await tool('umoci', ['raw', 'add-layer', '--image', image, '--history.created', '2024-09-06T00:00:00Z', '--history.created_by', `ADD ${p.file} /`, tar]);
      await tool('umoci', [
        'config',
        '--image',
        image,
        '--architecture',
        p.architecture,
        '--os',
        p.os,
        '--config.cmd',
        '/bin/sh',
        '--config.env',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--no-history',
      ]);
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
        manifests: { digest: string; size: number; mediaType: string; annotations?: Record<string, string> }[];
      };
      const m = index.manifests.find((e) => e.annotations?.['org.opencontainers.image.ref.name'] === p.tag);
      if (!m) throw new Error(`umoci left no ${p.tag} entry in ${dir}/index.json`);
      const platform: Record<string, string> = { architecture: p.architecture, os: p.os };
      if ('variant' in p) platform['variant'] = p.variant;
      entries.push({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform });
      manifests[`${p.os}/${p.architecture}${'variant' in p ? `/${p.variant}` : ''}`] = m.digest;
    }
    const indexBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
    const hex = createHash('sha256').update(indexBytes).digest('hex');
    writeFileSync(join(dir, 'blobs', 'sha256', hex), indexBytes);
    const layoutIndex = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: unknown[] };
    layoutIndex.manifests.push({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: `sha256:${hex}`,
      size: indexBytes.length,
      annotations: { 'org.opencontainers.image.ref.name': 'latest' },
    });
    writeFileSync(join(dir, 'index.json'), JSON.stringify(layoutIndex));
    return { dir, tag: 'latest', indexDigest: `sha256:${hex}`, manifests };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let cached: Promise<AlpineLayout> | undefined;

/** `sharedAlpineLayout` builds the layout once per process (in a temp dir removed at exit). */
export function sharedAlpineLayout(): Promise<AlpineLayout> {
  if (!cached) {
    const dir = join(mkdtempSync(join(tmpdir(), 'ocibake-alpine-layout-')), 'layout');
    process.once('exit', () => rmSync(dirname(dir), { recursive: true, force: true }));
    cached = alpineLayout(dir);
  }
  return cached;
}

/** `alpineBaseFlag` is the `--base` value that points `alpine` at the shared layout. */
export async function alpineBaseFlag(): Promise<string> {
  const layout = await sharedAlpineLayout();
  return `alpine=oci-layout://${layout.dir}:${layout.tag}`;
}

/**
 * `seedAlpine` copies the multi-arch Alpine index into `registryHostPort/repo:tag` with
 * `skopeo copy --all` and returns the index digest. `destArgs` are skopeo's --dest-* flags
 * (default: plain HTTP/unverified TLS, anonymous).
 */
export async function seedAlpine(registryHostPort: string, repo: string, tag: string, destArgs: string[] = ['--dest-tls-verify=false']): Promise<string> {
  const layout = await sharedAlpineLayout();
  if (!existsSync(layout.dir)) throw new Error('alpine layout vanished');
  const authDir = mkdtempSync(join(tmpdir(), 'ocibake-seed-auth-'));
  try {
    await run(
      'skopeo',
      ['copy', '--all', '--preserve-digests', ...destArgs, `oci:${layout.dir}:${layout.tag}`, `docker://${registryHostPort}/${repo}:${tag}`],
      {
        env: { ...process.env, REGISTRY_AUTH_FILE: join(authDir, 'auth.json') },
      },
    ).catch((err: NodeJS.ErrnoException & { stderr?: string }) => {
      throw new Error(
        err.code === 'ENOENT' ? 'skopeo is not installed; install it with apt-get (see .ci/run)' : `skopeo copy failed: ${err.stderr ?? err.message}`,
      );
    });
  } finally {
    rmSync(authDir, { recursive: true, force: true });
  }
  return layout.indexDigest;
}
