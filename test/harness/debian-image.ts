// Builds real Debian images without any ocibake code: `mmdebstrap` makes a rootfs tarball per
// (architecture, package set) at test time (cached per UTC day, see rootfs-cache.ts), `umoci`
// turns each tarball into a one-layer image in an OCI layout, the multi-platform index is written
// here as plain JSON (as alpine-index.ts does), and `skopeo copy --all` pushes it to a registry.
// apt inside these images works against Debian's repository, so RUN apt-get tests are real.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cachedFile, testCacheDir } from './rootfs-cache.js';

const run = promisify(execFile);

/** A Debian architecture name as dpkg spells it. */
export type DebianArch = 'amd64' | 'arm64' | 'armhf' | 'armel' | 'i386' | 'ppc64el' | 's390x' | 'riscv64';

/** One platform of a Debian image: the dpkg architecture, the mmdebstrap variant and extra packages. */
export interface DebianPlatform {
  arch: DebianArch;
  /** mmdebstrap `--variant` (default `minbase`: apt, no recommends). */
  variant?: 'minbase' | 'essential' | 'apt' | 'required' | 'important' | 'standard';
  /** Extra packages (`--include=`), e.g. `['golang-go']` or `['gcc', 'libc6-dev']`. */
  include?: readonly string[];
}

/** Options shared by the rootfs, layout and image functions. */
export interface DebianOptions {
  /** Debian suite (default `bookworm`). */
  suite?: string;
  /** Where rootfs tarballs are cached (default `testCacheDir()`). */
  cacheDir?: string;
  /** Progress lines (default: stderr when a build starts, since a cold arm64 build takes ~60 s). */
  log?: (line: string) => void;
}

/** A cached rootfs tarball. */
export interface DebianRootfs {
  path: string;
  key: string;
  /** False when this call ran mmdebstrap. */
  cached: boolean;
  ms: number;
}

/** What `debianLayout` wrote. */
export interface DebianLayout {
  dir: string;
  /** The layout tag of the index. */
  tag: string;
  indexDigest: string;
  /** Per-platform manifest digests, keyed `os/arch[/variant]`. */
  manifests: Record<string, string>;
  rootfs: DebianRootfs[];
}

/** What `debianImage` pushed. */
export interface DebianImage extends Omit<DebianLayout, 'dir' | 'tag'> {
  /** `host/repo:tag` of the index in the registry. */
  ref: string;
}

/** The OCI platform of each Debian architecture (arm64 carries v8, as Docker Hub's debian index does). */
export const DEBIAN_OCI_PLATFORM: Readonly<Record<DebianArch, { architecture: string; variant?: string }>> = {
  amd64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64', variant: 'v8' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v5' },
  i386: { architecture: '386' },
  ppc64el: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
};

const QEMU_NAME: Readonly<Record<DebianArch, string>> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  armhf: 'arm',
  armel: 'arm',
  i386: 'i386',
  ppc64el: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

const ENV_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** `platformKey` is `os/arch[/variant]` for a Debian architecture, as `manifests` is keyed. */
export function platformKey(arch: DebianArch): string {
  const p = DEBIAN_OCI_PLATFORM[arch];
  return `linux/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** `utcDay` is today's date in UTC, `YYYY-MM-DD`: the cache key's freshness part. */
export function utcDay(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * `rootfsKey` names the cache entry of one platform: suite, arch, variant, sorted package list and
 * UTC day, e.g. `bookworm_amd64_minbase_gcc,libc6-dev_2026-12-01.tar` (a hash stands in for long lists).
 */
export function rootfsKey(p: DebianPlatform, suite = 'bookworm', day = utcDay()): string {
  const include = [...new Set(p.include ?? [])].sort();
  for (const name of include) if (!PACKAGE_NAME.test(name)) throw new Error(`not a Debian package name: ${JSON.stringify(name)}`);
  let pkgs = include.length ? include.join(',') : 'none';
  if (pkgs.length > 80) pkgs = `sha256-${createHash('sha256').update(pkgs).digest('hex').slice(0, 16)}`;
  return `${suite}_${p.arch}_${p.variant ?? 'minbase'}_${pkgs}_${day}.tar`;
}

async function tool(cmd: string, args: string[], hint = cmd): Promise<string> {
  try {
    return (await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${cmd} is not installed; install ${hint} with apt-get, see .ci/run`);
    const tail = (e.stderr ?? e.message).trim().split('\n').slice(-15).join('\n');
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${tail}`);
  }
}

function hostArch(): DebianArch | undefined {
  return ({ x64: 'amd64', arm64: 'arm64', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' } as Record<string, DebianArch>)[process.arch];
}

/** `checkForeignArch` explains what is missing to run `arch` binaries through binfmt_misc. */
function checkForeignArch(arch: DebianArch): void {
  if (arch === hostArch() || (arch === 'i386' && hostArch() === 'amd64')) return;
  const handler = `/proc/sys/fs/binfmt_misc/qemu-${QEMU_NAME[arch]}`;
  if (!existsSync(handler) || !readFileSync(handler, 'utf8').startsWith('enabled')) {
    throw new Error(
      `no enabled binfmt_misc handler ${handler} for ${arch}: install qemu-user-static and binfmt-support with apt-get (see .ci/run), ` +
        'then `mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable` if it is not mounted',
    );
  }
}

/**
 * `debianRootfs` returns a cached mmdebstrap rootfs tarball for one platform, building it when
 * today's entry is missing (~15-25 s for amd64 minbase, ~60 s for arm64 through qemu). Entries
 * of earlier days for the same platform are removed after a build. Needs root (mmdebstrap's root
 * mode) and Debian's mirror. /etc/resolv.conf and /etc/hostname are removed from the image
 * (mmdebstrap copies the host's), as in Docker Hub's debian images: a RUN sandbox has to provide them.
 *
 *   const { path } = await debianRootfs({ arch: 'amd64', include: ['golang-go'] });
 */
export async function debianRootfs(p: DebianPlatform, o: DebianOptions = {}): Promise<DebianRootfs> {
  const suite = o.suite ?? 'bookworm';
  const dir = o.cacheDir ?? testCacheDir();
  const key = rootfsKey(p, suite);
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const r = await cachedFile(
    dir,
    key,
    async (tmp) => {
      if (process.getuid?.() !== 0) throw new Error(`building ${key}: mmdebstrap needs root here (root mode); run the tests as root as CI does`);
      checkForeignArch(p.arch);
      if (p.arch !== hostArch())
        await tool('arch-test', [p.arch], 'arch-test').catch((err: Error) => {
          throw new Error(`building ${key}: arch-test cannot run ${p.arch} binaries: ${err.message}`);
        });
      const args = [
        `--variant=${p.variant ?? 'minbase'}`,
        `--architectures=${p.arch}`,
        '--format=tar',
        '--quiet',
        '--customize-hook=rm -f "$1/etc/resolv.conf" "$1/etc/hostname"',
      ];
      if (p.include?.length) args.push(`--include=${[...p.include].sort().join(',')}`);
      await tool('mmdebstrap', [...args, suite, tmp], 'mmdebstrap (and arch-test for a foreign architecture)');
    },
    { onBuild: () => log(`debian-image: building ${key} with mmdebstrap (cache ${dir})`) },
  );
  if (!r.cached) pruneOlderDays(dir, key);
  return { path: r.path, key, cached: r.cached, ms: r.ms };
}

/** Removes the same platform's entries of other days (keys differ only in their `_YYYY-MM-DD.tar` tail). */
function pruneOlderDays(dir: string, key: string): void {
  const stem = key.replace(/_\d{4}-\d{2}-\d{2}\.tar$/, '_');
  for (const name of readdirSync(dir)) {
    if (name !== key && name.startsWith(stem) && /^\d{4}-\d{2}-\d{2}\.tar$/.test(name.slice(stem.length))) rmSync(join(dir, name), { force: true });
  }
}

interface LayoutIndex {
  manifests: { digest: string; size: number; mediaType: string; annotations?: Record<string, string> }[];
}

/**
 * `debianLayout` writes a multi-platform Debian image into the OCI layout `dir` (created; must be
 * new or empty): one image per platform (tagged with its dpkg arch), plus an index tagged `tag`
 * (default `latest`). Two platforms with the same architecture cannot share one index.
 *
 *   const l = await debianLayout('/tmp/x/layout', [{ arch: 'amd64' }, { arch: 'arm64' }]);
 */
export async function debianLayout(dir: string, platforms: readonly DebianPlatform[], o: DebianOptions & { tag?: string } = {}): Promise<DebianLayout> {
  if (platforms.length === 0) throw new Error('debianLayout: no platforms');
  const seen = new Set<DebianArch>();
  for (const p of platforms) {
    if (seen.has(p.arch)) throw new Error(`debianLayout: ${p.arch} appears twice; one index holds one image per platform`);
    seen.add(p.arch);
  }
  // Sequential on purpose: two mmdebstrap runs at once only compete for 2 cores and the mirror.
  const rootfs: DebianRootfs[] = [];
  for (const p of platforms) rootfs.push(await debianRootfs(p, o));
  const tag = o.tag ?? 'latest';
  const suite = o.suite ?? 'bookworm';
  await tool('umoci', ['init', '--layout', dir], 'umoci');
  const entries: Record<string, unknown>[] = [];
  const manifests: Record<string, string> = {};
  for (const [i, p] of platforms.entries()) {
    const fs = rootfs[i]!;
    const created = `${fs.key.slice(-14, -4)}T00:00:00Z`;
    const image = `${dir}:${p.arch}`;
    await tool('umoci', ['new', '--image', image]);
    await tool('umoci', [
      'raw',
      'add-layer',
      '--image',
      image,
      '--history.created',
      created,
      '--history.created_by',
      `mmdebstrap --variant=${p.variant ?? 'minbase'} --architectures=${p.arch}${p.include?.length ? ` --include=${[...p.include].sort().join(',')}` : ''} ${suite}`,
      fs.path,
    ]);
    const oci = DEBIAN_OCI_PLATFORM[p.arch];
    const cfg = [
      'config',
      '--image',
      image,
      '--architecture',
      oci.architecture,
      '--os',
      'linux',
      '--created',
      created,
      '--config.env',
      ENV_PATH,
      '--config.cmd',
      '/bin/bash',
      '--no-history',
    ];
    // umoci 0.4 has no --variant flag; the variant lives in the index entry, where platform matching reads it.
    await tool('umoci', cfg);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as LayoutIndex;
    const m = index.manifests.find((e) => e.annotations?.['org.opencontainers.image.ref.name'] === p.arch);
    if (!m) throw new Error(`umoci left no ${p.arch} entry in ${dir}/index.json`);
    const platform: Record<string, string> = { architecture: oci.architecture, os: 'linux' };
    if (oci.variant) platform['variant'] = oci.variant;
    entries.push({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform });
    manifests[platformKey(p.arch)] = m.digest;
  }
  const indexBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  const hex = createHash('sha256').update(indexBytes).digest('hex');
  writeFileSync(join(dir, 'blobs', 'sha256', hex), indexBytes);
  const layoutIndex = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: unknown[] };
  layoutIndex.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: indexBytes.length,
    annotations: { 'org.opencontainers.image.ref.name': tag },
  });
  writeFileSync(join(dir, 'index.json'), JSON.stringify(layoutIndex));
  return { dir, tag, indexDigest: `sha256:${hex}`, manifests, rootfs };
}

/** Options of `debianImage`. */
export interface DebianImageOptions extends DebianOptions {
  /** `127.0.0.1:PORT`, or a `TestRegistry` from registry.ts (its `host` is used). */
  registry: string | { host: string };
  repo: string;
  tag: string;
  platforms: readonly DebianPlatform[];
  /** skopeo `--dest-*` flags (default `--dest-tls-verify=false`, anonymous). */
  destArgs?: string[];
}

/**
 * `debianImage` builds the platforms' images (rootfs from the cache) and pushes the index to
 * `registry/repo:tag` with `skopeo copy --all --preserve-digests`.
 *
 *   const img = await debianImage({ registry: reg, repo: 'debian', tag: 'bookworm', platforms: [{ arch: 'amd64' }] });
 *   // img.ref = '127.0.0.1:PORT/debian:bookworm', img.manifests['linux/amd64'] = 'sha256:…'
 */
export async function debianImage(o: DebianImageOptions): Promise<DebianImage> {
  const host = typeof o.registry === 'string' ? o.registry : o.registry.host;
  const work = mkdtempSync(join(tmpdir(), 'ocibake-debian-'));
  const authDir = mkdtempSync(join(tmpdir(), 'ocibake-debian-auth-'));
  try {
    const layout = await debianLayout(join(work, 'layout'), o.platforms, o);
    const ref = `${host}/${o.repo}:${o.tag}`;
    await run(
      'skopeo',
      ['copy', '--all', '--preserve-digests', ...(o.destArgs ?? ['--dest-tls-verify=false']), `oci:${layout.dir}:${layout.tag}`, `docker://${ref}`],
      {
        env: { ...process.env, REGISTRY_AUTH_FILE: join(authDir, 'auth.json') },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((err: NodeJS.ErrnoException & { stderr?: string }) => {
      throw new Error(
        err.code === 'ENOENT'
          ? 'skopeo is not installed; install skopeo with apt-get, see .ci/run'
          : `skopeo copy to ${ref} failed: ${err.stderr ?? err.message}`,
      );
    });
    return { ref, indexDigest: layout.indexDigest, manifests: layout.manifests, rootfs: layout.rootfs };
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(authDir, { recursive: true, force: true });
  }
}

/**
 * `tempDebianLayout` is `debianLayout` into a fresh temp dir that is removed when the process exits.
 */
export async function tempDebianLayout(platforms: readonly DebianPlatform[], o: DebianOptions & { tag?: string } = {}): Promise<DebianLayout> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ocibake-debian-layout-')), 'layout');
  process.once('exit', () => rmSync(dirname(dir), { recursive: true, force: true }));
  return debianLayout(dir, platforms, o);
}
