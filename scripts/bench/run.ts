// Benchmark: ocibake's image executor (every RUN inside its stage's own image) against buildah on
// the SAME two-platform Dockerfile, in the same run. The build stage is Debian bookworm running on
// the build platform, apt-installs gcc plus Debian's aarch64 cross compiler and compiles a small C
// file statically for each target; the final stage is Alpine 3.20 with a RUN (adduser: native for
// amd64, qemu through binfmt_misc for arm64, in both tools), the binary and USER app.
//
// Measured per tool: cold (empty build caches; the base images are already on local disk for both),
// a no-change rebuild, and a rebuild after editing the C file. Each build's output is checked
// (the binary runs and prints the expected line, per platform) so a broken build cannot win.
// Times are wall-clock seconds; CPU seconds of the tool's process tree are shown beside them
// because other work on the machine makes wall times noisy. There are no timing assertions
// anywhere: this prints numbers, and "met"/"MISSED" against the targets, nothing fails on them.
//
// Choices, so both tools do the same work:
// - Bases are OCI layouts made without ocibake code (test/harness: mmdebstrap + umoci for Debian
//   amd64, the Alpine 3.20.3 minirootfs fixtures for Alpine). ocibake gets them as
//   `--base NAME=oci-layout://DIR:TAG`; buildah gets a copy of the Dockerfile whose FROM lines name
//   `oci:DIR:TAG` (buildah resolves transport prefixes in FROM, and picks the platform from the
//   index). Neither tool has them in its store before a cold build, so both pay for reading and
//   unpacking them (pre-copying them into containers-storage with skopeo would give buildah an
//   unpacked base for free, and ocibake has no such "store" step to exclude).
// - buildah 1.28 (Debian bookworm) does not define BUILDPLATFORM for FROM lines ("missing
//   BUILDPLATFORM build argument"), so `--platform=$BUILDPLATFORM` would silently become the target
//   platform and look for a Debian arm64 image. It gets `--build-arg BUILDPLATFORM=<this machine>`,
//   the value BuildKit and ocibake use. And buildah 1.28 keeps a stage's `FROM --platform` for the
//   stages after it (buildah issue #4721, fixed upstream in 2025 by #5971): its final stage got the
//   amd64 Alpine for linux/arm64 too, which the output check below caught. Its copy of the
//   Dockerfile says `FROM --platform=$TARGETPLATFORM` on the final stage, BuildKit's default.
// - buildah runs with `--layers` (its step cache; off by default) so that rebuilds can be cached,
//   a private --root/--runroot/storage.conf/registries.conf/signature policy, and TMPDIR in the
//   work dir. It runs inside `unshare --mount` with a private dir bound over /var/lib/containers,
//   so its blob-info cache never lands in the machine's, and every mount it makes dies with it.
// - Both produce the same deliverable: an OCI layout holding the two-platform index. For ocibake
//   that is `-o type=oci,dest=…` (inside its build time); for buildah it is `buildah build
//   --manifest` plus `buildah manifest push --all … oci:DIR:latest`, and the ratio uses the sum
//   (buildah's build alone is printed too). The manifest list is removed before each buildah
//   build (not timed), or `--manifest` would keep adding entries to the old list.
// - apt downloads from Debian's mirror dominate a cold build. Cold builds alternate the order
//   (round 1 ocibake first, round 2 buildah first, …) and each tool's apt "Fetched … in …" lines
//   are printed so a slow mirror moment is visible; `--rounds N` repeats the cold builds and
//   reports the median.
//
// Usage: npm run bench:run [-- --rounds N] [--keep] [--no-install]
//   needs root (buildah's overlay storage, mmdebstrap), mmdebstrap, umoci, tar, unshare, an
//   enabled qemu-aarch64 binfmt_misc handler, and buildah (installed with apt-get if missing
//   unless --no-install). --keep leaves the work dir (logs, outputs) in place and says where.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { alpineLayout } from '../../test/harness/alpine-index.js';
import { debianLayout } from '../../test/harness/debian-image.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
const LIST = 'localhost/ocibake-bench:list';
const ELF_MACHINE: Record<string, number> = { amd64: 62, arm64: 183 };
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
/** Linux's USER_HZ: /proc/<pid>/stat times are in these ticks. */
const CLOCK_TICKS = 100;

const say = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

// ---------------------------------------------------------------------------------------------
// The build: context, Dockerfile for ocibake, the same Dockerfile with oci: FROM lines for buildah.

function helloC(version: string): string {
  return `#include <stdio.h>\nint main(void) {\n  printf("ocibake-bench ${version}\\n");\n  return 0;\n}\n`;
}

function dockerfile(debianFrom: string, alpineFrom: string, finalFromFlags = ''): string {
  return [
    `FROM --platform=$BUILDPLATFORM ${debianFrom} AS build`,
    'RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross',
    'COPY hello.c /src/hello.c',
    'ARG TARGETARCH',
    'RUN mkdir -p /out && if [ "$TARGETARCH" = arm64 ]; then CC=aarch64-linux-gnu-gcc; else CC=gcc; fi && $CC -static -O2 -o /out/hello /src/hello.c',
    '',
    `FROM ${finalFromFlags}${alpineFrom}`,
    'RUN adduser -D -u 10001 app',
    'COPY --from=build /out/hello /usr/local/bin/hello',
    'USER app',
    'CMD ["hello"]',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Running a tool: wall time, CPU time of its process tree, every output line with its time.

interface Line {
  /** Milliseconds since the process started. */
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

interface Ran {
  seconds: number;
  cpuSeconds: number;
  /** Date.now() when the process was started. */
  startedAt: number;
  lines: Line[];
  log: string;
}

const children = new Set<ChildProcess>();

/**
 * `stopChildren` sends SIGTERM to the tools still running (ocibake cleans its sandbox up on it) and
 * waits up to 20 s for them to exit, synchronously (this runs in a signal handler and in finally):
 * buildah's storage lock and ocibake's snapshot dirs must be free before they are removed.
 */
function stopChildren(): void {
  const pids = [...children].flatMap((c) => (c.pid !== undefined && c.exitCode === null && c.signalCode === null ? [c.pid] : []));
  for (const c of children) c.kill('SIGTERM');
  const gone = (pid: number) => {
    try {
      // Not reaped yet (no event loop turn here), so an exited child is a zombie.
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
    } catch {
      return true;
    }
  };
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 20_000 && !pids.every(gone); waited += 100) Atomics.wait(wait, 0, 0, 100);
}

/** CPU seconds (user + system) of this process's waited-for children so far. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

function runTimed(label: string, cmd: string, args: readonly string[], o: { env?: NodeJS.ProcessEnv; log: string }): Promise<Ran> {
  const cpu0 = childCpuSeconds();
  const startedAt = Date.now();
  const t0 = performance.now();
  const lines: Line[] = [];
  const log = createWriteStream(o.log, { flags: 'a' });
  log.write(`$ ${cmd} ${args.join(' ')}\n`);
  return new Promise<Ran>((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const collect = (stream: 'stdout' | 'stderr') => {
      let rest = '';
      return {
        push: (chunk: Buffer) => {
          const at = performance.now() - t0;
          const parts = (rest + chunk.toString('utf8')).split(/\r?\n|\r/);
          rest = parts.pop() ?? '';
          for (const text of parts) {
            lines.push({ at, stream, text });
            log.write(`${(at / 1000).toFixed(3).padStart(8)} ${stream === 'stderr' ? 'E' : 'O'} ${text}\n`);
          }
        },
        flush: () => {
          if (rest) lines.push({ at: performance.now() - t0, stream, text: rest });
          rest = '';
        },
      };
    };
    const out = collect('stdout');
    const err = collect('stderr');
    child.stdout.on('data', out.push);
    child.stderr.on('data', err.push);
    child.on('error', (e) => {
      children.delete(child);
      log.end();
      reject(new Error(`${label}: cannot start ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      out.flush();
      err.flush();
      const seconds = (performance.now() - t0) / 1000;
      log.write(`# exit ${code ?? signal} after ${seconds.toFixed(2)} s\n`);
      log.end();
      if (code !== 0) {
        const tail = lines
          .slice(-25)
          .map((l) => l.text)
          .join('\n');
        reject(new Error(`${label} failed (exit ${code ?? signal}); full log ${o.log}:\n${tail}`));
        return;
      }
      resolvePromise({ seconds, cpuSeconds: childCpuSeconds() - cpu0, startedAt, lines, log: o.log });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Setup shared by both tools.

interface Setup {
  work: string;
  ctx: string;
  logs: string;
  hostPlatform: string;
  dockerfileOcibake: string;
  dockerfileBuildah: string;
  bases: string[];
}

function hostPlatform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  if (!arch) throw new Error(`this benchmark's Dockerfile expects an amd64 or arm64 build machine, not ${process.arch}`);
  return `linux/${arch}`;
}

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function preflight(noInstall: boolean): void {
  if (process.getuid?.() !== 0)
    throw new Error('run this as root: buildah uses overlay storage in a private --root, and mmdebstrap makes the Debian base in root mode');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first (npm run bench:run does)`);
  if (hostPlatform() !== 'linux/amd64') throw new Error('the Debian base is made for amd64 only; run this on an amd64 machine');
  for (const [cmd, pkg] of [
    ['mmdebstrap', 'mmdebstrap'],
    ['umoci', 'umoci'],
    ['tar', 'tar'],
    ['unshare', 'util-linux'],
  ] as const) {
    if (!which(cmd)) throw new Error(`${cmd} is not installed: apt-get install -y ${pkg}`);
  }
  const handler = '/proc/sys/fs/binfmt_misc/qemu-aarch64';
  if (!existsSync(handler) || !readFileSync(handler, 'utf8').startsWith('enabled')) {
    throw new Error(
      `no enabled ${handler}: the final stage's RUN for linux/arm64 needs qemu in both tools; apt-get install -y qemu-user-static binfmt-support`,
    );
  }
  if (!which('buildah')) {
    if (noInstall) throw new Error('buildah is not installed (and --no-install was given): apt-get install -y buildah');
    say("buildah is not installed; installing Debian's package: apt-get install -y buildah");
    const apt = (args: string[]) =>
      execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    try {
      apt(['install', '-y', '-q', 'buildah']);
    } catch {
      say('apt-get install failed; running apt-get update once and trying again');
      apt(['update', '-q']);
      apt(['install', '-y', '-q', 'buildah']);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ocibake.

interface Result {
  /** Wall seconds of what the ratio compares. */
  seconds: number;
  cpuSeconds: number;
  /** Load average (1 min) just before the run. */
  load: number;
  /** For buildah: the build alone and the export to a layout. */
  parts?: { build: number; export: number };
  out: string;
  runs: Ran[];
}

function ocibakeBuild(s: Setup, label: string, cacheDir: string): Promise<Result> {
  const out = join(s.work, 'out', `ocibake-${label}`);
  const args = [cli, 'build', s.ctx, '-f', s.dockerfileOcibake, '--platform', PLATFORMS.join(','), ...s.bases, '--cache-dir', cacheDir];
  args.push('-t', 'ocibake-bench:latest', '-o', `type=oci,dest=${out}`, '--progress', 'json');
  const load = loadavg()[0] ?? 0;
  say(`ocibake ${label} build (load ${load.toFixed(2)})`);
  const env = { OCIBAKE_CACHE: cacheDir, OCIBAKE_TOOL_CACHE: `${cacheDir}-tools` };
  return runTimed(`ocibake ${label}`, process.execPath, args, { env, log: join(s.logs, `ocibake-${label}.log`) }).then((r) => ({
    seconds: r.seconds,
    cpuSeconds: r.cpuSeconds,
    load,
    out,
    runs: [r],
  }));
}

// ---------------------------------------------------------------------------------------------
// buildah, with everything it writes under one private directory.

interface BuildahStore {
  dir: string;
  flags: string[];
  env: NodeJS.ProcessEnv;
  policy: string;
  /** Bound over /var/lib/containers in buildah's mount namespace. */
  varlib: string;
}

function buildahStore(work: string, name: string): BuildahStore {
  const dir = join(work, name);
  const storageRoot = join(dir, 'root');
  const runRoot = join(dir, 'run');
  for (const d of [storageRoot, runRoot, join(dir, 'tmp'), join(dir, 'varlib')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "overlay"\nrunroot = "${runRoot}"\ngraphroot = "${storageRoot}"\n`);
  // No search registries and short names disabled: nothing in these builds may go to a registry.
  writeFileSync(join(dir, 'registries.conf'), 'unqualified-search-registries = []\nshort-name-mode = "disabled"\n');
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  return {
    dir,
    flags: ['--root', storageRoot, '--runroot', runRoot, '--storage-driver', 'overlay'],
    env: {
      CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
      CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
      TMPDIR: join(dir, 'tmp'),
    },
    policy: join(dir, 'policy.json'),
    varlib: join(dir, 'varlib'),
  };
}

// In a new mount namespace (private propagation: nothing leaks out, and every mount buildah makes is
// gone when it exits): a private dir over /var/lib/containers when it exists; otherwise /var/lib
// read-only, so c/image cannot create its cache there and keeps it in memory.
const NS_SCRIPT =
  'set -e; if [ -d /var/lib/containers ]; then mount --bind "$0" /var/lib/containers; else mount --bind /var/lib /var/lib; mount -o remount,bind,ro /var/lib; fi; exec "$@"';

function buildahArgv(st: BuildahStore, args: readonly string[]): string[] {
  return ['--mount', '--propagation', 'private', 'sh', '-c', NS_SCRIPT, st.varlib, 'buildah', ...st.flags, ...args];
}

function buildahSync(st: BuildahStore, args: readonly string[]): void {
  execFileSync('unshare', buildahArgv(st, args), { stdio: 'ignore', env: { ...process.env, ...st.env }, timeout: 120_000 });
}

async function buildahBuild(s: Setup, st: BuildahStore, label: string): Promise<Result> {
  const out = join(s.work, 'out', `buildah-${label}`);
  try {
    buildahSync(st, ['manifest', 'rm', LIST]); // not timed: a fresh list, as ocibake writes a fresh index
  } catch {
    // no list yet
  }
  const log = join(s.logs, `buildah-${label}.log`);
  const load = loadavg()[0] ?? 0;
  say(`buildah ${label} build (load ${load.toFixed(2)})`);
  const build = await runTimed(
    `buildah ${label} build`,
    'unshare',
    buildahArgv(st, [
      'build',
      '--isolation',
      'chroot',
      '--layers',
      '--platform',
      PLATFORMS.join(','),
      '--build-arg',
      `BUILDPLATFORM=${s.hostPlatform}`,
      '--signature-policy',
      st.policy,
      '--manifest',
      LIST,
      '-f',
      s.dockerfileBuildah,
      s.ctx,
    ]),
    { env: st.env, log },
  );
  const push = await runTimed(
    `buildah ${label} manifest push`,
    'unshare',
    buildahArgv(st, ['manifest', 'push', '--all', '--signature-policy', st.policy, LIST, `oci:${out}:latest`]),
    {
      env: st.env,
      log,
    },
  );
  return {
    seconds: build.seconds + push.seconds,
    cpuSeconds: build.cpuSeconds + push.cpuSeconds,
    load,
    parts: { build: build.seconds, export: push.seconds },
    out,
    runs: [build, push],
  };
}

// ---------------------------------------------------------------------------------------------
// Checking an output layout with no ocibake code: JSON by hand, layers with GNU tar, the binary run.

interface Descriptor {
  mediaType: string;
  digest: string;
  platform?: { architecture: string; os: string };
}

function blobPath(layout: string, digest: string): string {
  const [alg, hex] = digest.split(':');
  if (!alg || !hex || !/^[a-f0-9]+$/.test(hex)) throw new Error(`bad digest ${digest}`);
  return join(layout, 'blobs', alg, hex);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function elfMachine(path: string): number | undefined {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(20);
    readSync(fd, head, 0, 20, 0);
    return head.readUInt32BE(0) === 0x7f454c46 ? head.readUInt16LE(18) : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Checks every platform of the layout's index; returns one line per platform, throws on anything wrong. */
function verifyLayout(tool: string, layout: string, version: string, scratch: string): string[] {
  const top = readJson<{ manifests: Descriptor[] }>(join(layout, 'index.json')).manifests.filter((d) => INDEX_TYPES.has(d.mediaType));
  if (top.length !== 1 || !top[0]) throw new Error(`${tool}: ${layout}/index.json names ${top.length} image indexes, expected 1`);
  const index = readJson<{ manifests: Descriptor[] }>(blobPath(layout, top[0].digest));
  const notes: string[] = [];
  for (const platform of PLATFORMS) {
    const arch = platform.split('/')[1] ?? '';
    const fail = (why: string): never => {
      throw new Error(`${tool} output is wrong for ${platform}: ${why} (layout ${layout})`);
    };
    const entries = index.manifests.filter((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
    if (entries.length !== 1 || !entries[0]) fail(`the index has ${entries.length} manifests for it, expected 1`);
    const manifest = readJson<{ config: Descriptor; layers: Descriptor[] }>(blobPath(layout, entries[0]!.digest));
    const config = readJson<{ architecture: string; os: string; config?: { User?: string } }>(blobPath(layout, manifest.config.digest));
    if (config.architecture !== arch || config.os !== 'linux') fail(`config says ${config.os}/${config.architecture}`);
    if (config.config?.User !== 'app') fail(`config User is ${JSON.stringify(config.config?.User)}, expected "app"`);
    const rootfs = join(scratch, `${tool}-${arch}`);
    rmSync(rootfs, { recursive: true, force: true });
    mkdirSync(rootfs, { recursive: true });
    // No whiteouts matter here: the checked files are only ever added.
    for (const l of manifest.layers)
      execFileSync('tar', ['-xf', blobPath(layout, l.digest), '-C', rootfs, '--no-same-owner', '--exclude=dev/*'], { stdio: 'ignore' });
    const hello = join(rootfs, 'usr', 'local', 'bin', 'hello');
    if (!existsSync(hello)) fail('/usr/local/bin/hello is missing');
    if (elfMachine(hello) !== ELF_MACHINE[arch]) fail(`/usr/local/bin/hello is ELF machine ${elfMachine(hello)}, expected ${ELF_MACHINE[arch]}`);
    if (elfMachine(join(rootfs, 'bin', 'busybox')) !== ELF_MACHINE[arch]) fail(`the base's /bin/busybox is not a ${arch} binary: wrong base platform`);
    if (!/^app:x:10001:/m.test(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8'))) fail('/etc/passwd has no app user with uid 10001 (RUN adduser)');
    // arm64 runs through the binfmt_misc qemu handler checked in preflight.
    const printed = execFileSync(hello, { encoding: 'utf8', timeout: 30_000 }).trim();
    if (printed !== `ocibake-bench ${version}`) fail(`hello printed ${JSON.stringify(printed)}, expected "ocibake-bench ${version}"`);
    notes.push(`${platform}: hello prints "${printed}", User=app, app uid 10001, ${arch} base`);
    rmSync(rootfs, { recursive: true, force: true });
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Where the time went.

interface Event {
  time: string;
  type: string;
  key?: string;
  index?: number;
  total?: number;
  text?: string;
  cached?: boolean;
  message?: string;
  line?: string;
  durationMs?: number;
  platform?: string;
}

function events(r: Ran): (Event & { at: number })[] {
  const out: (Event & { at: number })[] = [];
  for (const l of r.lines) {
    if (l.stream !== 'stderr' || !l.text.startsWith('{')) continue;
    try {
      const e = JSON.parse(l.text) as Event;
      out.push({ ...e, at: Date.parse(e.time) - r.startedAt });
    } catch {
      // not an event line
    }
  }
  return out;
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * `runPhases` splits one RUN's span by its output lines (each timed when it arrived): the time before
 * the first line, the command, and after the last line (the tool's own work once it exits). An apt
 * RUN is split further at apt's own lines: index download, resolving, .deb download, dpkg.
 */
function runPhases(logs: readonly { at: number; text: string }[], start: number, end: number, after: string): string[] {
  if (logs.length === 0) return [];
  const firstLog = logs[0]!.at;
  const lastLog = logs[logs.length - 1]!.at;
  const rows = [`before the first output line: ${sec(firstLog - start)}`];
  const find = (re: RegExp, from = 0) => logs.slice(from).findIndex((l) => re.test(l.text)) + from;
  const need = find(/^Need to get /);
  const update = find(/^Fetched /);
  const fetched = need > 0 ? find(/^Fetched /, need) : -1;
  if (need > 0 && update >= 0 && fetched > need) {
    rows.push(`apt-get update (index download): ${sec(logs[update]!.at - firstLog)}; reading lists, resolving: ${sec(logs[need]!.at - logs[update]!.at)}`);
    rows.push(
      `.deb download: ${sec(logs[fetched]!.at - logs[need]!.at)} (apt: ${logs[fetched]!.text}); dpkg unpack + configure: ${sec(lastLog - logs[fetched]!.at)}`,
    );
  } else {
    rows.push(`the command's output span: ${sec(lastLog - firstLog)}`);
  }
  rows.push(`after its last output line (${after}): ${sec(end - lastLog)}`);
  return rows.map((r) => `    ${r}`);
}

/** Per step that ran: its span, and for a RUN its phases (`runPhases`); then what came before and after the steps. */
function ocibakeBreakdown(r: Ran): string[] {
  const ev = events(r);
  const rows: string[] = [];
  const plan = ev.find((e) => e.type === 'plan');
  const lastStep = ev.filter((e) => e.type === 'step').pop();
  const idx = ev.find((e) => e.type === 'index');
  const done = ev.find((e) => e.type === 'done');
  const buildStart = done?.durationMs !== undefined ? done.at - done.durationMs : undefined;
  if (buildStart !== undefined) rows.push(`process start → build start (node, loading the CLI and lib modules): ${sec(buildStart)}`);
  if (plan) rows.push(`build start → plan event (Dockerfile, context, sandbox probe, cache, plan): ${sec(plan.at - (buildStart ?? 0))}`);
  const starts = new Map<string, Event & { at: number }>();
  for (const e of ev) {
    if (e.type !== 'step') continue;
    const id = `${e.key}#${e.index}`;
    if (e.cached === undefined) {
      starts.set(id, e);
      continue;
    }
    const s = starts.get(id);
    if (e.cached || !s) continue;
    rows.push(`${e.key} ${e.index}/${e.total} ${(e.text ?? '').slice(0, 70)}: ${sec(e.at - s.at)} (at +${sec(s.at)})`);
    const logs = ev.filter((x) => x.type === 'log' && x.key === e.key && x.at >= s.at && x.at <= e.at).map((x) => ({ at: x.at, text: x.line ?? '' }));
    rows.push(...runPhases(logs, s.at, e.at, 'exit, diff of the upper dir, snapshot, layer if in the image'));
  }
  for (const u of ev.filter((x) => x.type === 'info' && x.message?.startsWith('unpacked layer'))) rows.push(`(at +${sec(u.at)}: ${u.message})`);
  if (lastStep && idx) rows.push(`last step event → index event (images assembled): ${sec(idx.at - lastStep.at)}`);
  if (idx && done) rows.push(`index event → done event (OCI layout written): ${sec(done.at - idx.at)}`);
  if (done) rows.push(`done event → process exit: ${sec(r.seconds * 1000 - done.at)}`);
  const ran = ev.filter((e) => e.type === 'step' && e.cached === false).length;
  const cached = ev.filter((e) => e.type === 'step' && e.cached === true).length;
  rows.push(`steps: ${ran} run, ${cached} cached; total ${r.seconds.toFixed(2)} s wall (stages run concurrently, so spans overlap)`);
  return rows;
}

/** buildah prints no times: each STEP line's span runs to the next STEP/COMMIT line of the build (by line, not time: one chunk's lines share a time). */
function buildahBreakdown(r: Ran): string[] {
  const isMark = (t: string) => /^\[linux\/\w+\] \[\d+\/\d+\] (STEP \d+\/\d+:|COMMIT)/.test(t);
  const marks = r.lines.flatMap((l, i) => (isMark(l.text) ? [i] : []));
  const rows: string[] = [];
  if (marks[0] !== undefined) rows.push(`process start → first STEP line: ${sec(r.lines[marks[0]]!.at)}`);
  for (const [k, i] of marks.entries()) {
    const m = r.lines[i]!;
    const next = marks[k + 1];
    const end = next !== undefined ? r.lines[next]!.at : r.seconds * 1000;
    const span = r.lines.slice(i + 1, next ?? r.lines.length);
    const cached = span.some((l) => l.text.startsWith('--> Using cache'));
    if (end - m.at < 200) continue;
    rows.push(`${m.text.slice(0, 100)}: ${sec(end - m.at)}${cached ? ' (cached)' : ''}`);
    // The command's own lines: stdout, up to buildah's "--> <id>" once the step is committed.
    if (/ STEP \d+\/\d+: RUN /.test(m.text) && !cached) {
      const own = span.filter((l) => l.stream === 'stdout');
      const commit = own.findIndex((l) => l.text.startsWith('--> '));
      rows.push(
        ...runPhases(commit >= 0 ? own.slice(0, commit) : own, m.at, commit >= 0 ? own[commit]!.at : end, 'exit, commit of the step as an image layer'),
      );
    }
  }
  rows.push(
    `(spans under 0.2 s left out; ${r.lines.filter((l) => l.text.startsWith('--> Using cache')).length} steps cached; total ${r.seconds.toFixed(2)} s)`,
  );
  return rows;
}

/** apt's "Fetched N MB in Ts" lines of a run (ocibake's are inside JSON log events). */
function aptFetched(r: Result): string {
  const texts = r.runs.flatMap((x) =>
    x.lines.map((l) => {
      if (!l.text.startsWith('{')) return l.text;
      try {
        return (JSON.parse(l.text) as Event).line ?? '';
      } catch {
        return l.text;
      }
    }),
  );
  return texts.filter((t) => /^Fetched .* in /.test(t)).join('; ') || 'none';
}

// ---------------------------------------------------------------------------------------------
// Cleanup: buildah's storage, any mount left under the work dir, the work dir.

function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    try {
      execFileSync('umount', ['-l', p], { stdio: 'ignore' });
    } catch {
      say(`could not unmount ${p}`);
    }
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false }, 'no-install': { type: 'boolean', default: false } },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number >= 1');
  preflight(values['no-install']);
  const buildahVersion = execFileSync('buildah', ['--version'], { encoding: 'utf8' }).trim();

  // Lowercase on purpose: buildah derives image names from oci: paths, and those must be lowercase.
  const work = join(tmpdir(), `ocibake-bench-run-${randomBytes(6).toString('hex')}`);
  mkdirSync(work);
  const stores: BuildahStore[] = [];
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    stopChildren();
    for (const st of stores) {
      for (const args of [
        ['rm', '--all'],
        ['rmi', '--all', '--force'],
      ]) {
        try {
          if (existsSync(st.dir)) buildahSync(st, args);
        } catch {
          // removed with the dir below
        }
      }
    }
    unmountUnder(work);
    if (values.keep) say(`kept ${work} (logs in ${join(work, 'logs')})`);
    else rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: cleaning up`);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const logs = join(work, 'logs');
    mkdirSync(logs, { recursive: true });
    say('making the base images (Debian bookworm amd64 with mmdebstrap + umoci, cached per day; Alpine 3.20.3 from the fixtures)');
    const debian = await debianLayout(join(work, 'bases', 'debian'), [{ arch: 'amd64' }], { tag: 'bookworm-slim', log: say });
    const alpine = await alpineLayout(join(work, 'bases', 'alpine'));
    const ctx = join(work, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'hello.c'), helloC('v1'));
    const s: Setup = {
      work,
      ctx,
      logs,
      hostPlatform: hostPlatform(),
      dockerfileOcibake: join(work, 'Dockerfile.ocibake'),
      dockerfileBuildah: join(work, 'Dockerfile.buildah'),
      bases: ['--base', `debian:bookworm-slim=oci-layout://${debian.dir}:${debian.tag}`, '--base', `alpine:3.20=oci-layout://${alpine.dir}:${alpine.tag}`],
    };
    // Outside the context, so both tools see a context of exactly hello.c.
    writeFileSync(s.dockerfileOcibake, dockerfile('debian:bookworm-slim', 'alpine:3.20'));
    writeFileSync(s.dockerfileBuildah, dockerfile(`oci:${debian.dir}:${debian.tag}`, `oci:${alpine.dir}:${alpine.tag}`, '--platform=$TARGETPLATFORM '));
    const scratch = join(work, 'verify');
    const checks: string[] = [];
    const verify = (tool: string, label: string, r: Result, version: string) => {
      for (const n of verifyLayout(tool, r.out, version, scratch)) checks.push(`${tool} ${label}: ${n}`);
      rmSync(r.out, { recursive: true, force: true });
    };

    const cold = { ocibake: [] as Result[], buildah: [] as Result[] };
    let cache = '';
    let store: BuildahStore | undefined;
    for (let round = 0; round < rounds; round++) {
      const label = rounds > 1 ? `cold${round + 1}` : 'cold';
      // A fresh, empty cache/storage per round; the last round's stays for the rebuilds.
      for (const d of cache ? [cache, `${cache}-tools`] : []) rmSync(d, { recursive: true, force: true });
      if (store) {
        const old = store;
        for (const args of [
          ['rm', '--all'],
          ['rmi', '--all', '--force'],
        ])
          buildahSync(old, args);
        unmountUnder(old.dir);
        rmSync(old.dir, { recursive: true, force: true });
        stores.splice(stores.indexOf(old), 1);
      }
      cache = join(work, `ocibake-cache-${round + 1}`);
      store = buildahStore(work, `buildah-${round + 1}`);
      stores.push(store);
      const st = store;
      const ocibake = async () => cold.ocibake.push(await ocibakeBuild(s, label, cache));
      const buildah = async () => cold.buildah.push(await buildahBuild(s, st, label));
      if (round % 2 === 0) {
        await ocibake();
        await buildah();
      } else {
        await buildah();
        await ocibake();
      }
      verify('ocibake', label, cold.ocibake[cold.ocibake.length - 1]!, 'v1');
      verify('buildah', label, cold.buildah[cold.buildah.length - 1]!, 'v1');
    }
    if (!store) throw new Error('no cold round ran');

    const warmO = await ocibakeBuild(s, 'no-change', cache);
    const warmB = await buildahBuild(s, store, 'no-change');
    verify('ocibake', 'no-change', warmO, 'v1');
    verify('buildah', 'no-change', warmB, 'v1');

    writeFileSync(join(ctx, 'hello.c'), helloC('v2'));
    const editO = await ocibakeBuild(s, 'edit', cache);
    const editB = await buildahBuild(s, store, 'edit');
    verify('ocibake', 'edit', editO, 'v2');
    verify('buildah', 'edit', editB, 'v2');

    // ---- report
    const coldO = median(cold.ocibake.map((r) => r.seconds));
    const coldB = median(cold.buildah.map((r) => r.seconds));
    const coldCpuO = median(cold.ocibake.map((r) => r.cpuSeconds));
    const coldCpuB = median(cold.buildah.map((r) => r.cpuSeconds));
    const f = (n: number) => `${n.toFixed(2)} s`.padStart(9);
    const row = (name: string, o: number, oc: number, b: number, bc: number, target: string) =>
      `${name.padEnd(26)}${f(o)} ${`(${oc.toFixed(1)})`.padStart(7)}${f(b)} ${`(${bc.toFixed(1)})`.padStart(7)}   ${`${(o / b).toFixed(2)}x`.padStart(6)}   ${target}`;
    const ratioCold = coldO / coldB;
    console.log('');
    console.log(`ocibake vs ${buildahVersion}, same Dockerfile, ${PLATFORMS.join(',')}, ${rounds} cold round(s)${rounds > 1 ? ' (median)' : ''}`);
    console.log('wall seconds (CPU seconds of the tool, all processes); buildah = build + manifest push --all to an OCI layout');
    console.log(`${''.padEnd(26)}${'ocibake'.padStart(17)}${'buildah'.padStart(17)}   ${'ratio'.padStart(6)}   target`);
    console.log(row('cold (empty caches)', coldO, coldCpuO, coldB, coldCpuB, `cold <= 0.70x buildah: ${ratioCold <= 0.7 ? 'met' : 'MISSED'}`));
    console.log(row('no-change rebuild', warmO.seconds, warmO.cpuSeconds, warmB.seconds, warmB.cpuSeconds, `< 1 s: ${warmO.seconds < 1 ? 'met' : 'MISSED'}`));
    console.log(row('rebuild after editing .c', editO.seconds, editO.cpuSeconds, editB.seconds, editB.cpuSeconds, '-'));
    console.log('');
    const parts = (rs: Result[]) => rs.map((r) => `${r.parts?.build.toFixed(2)} + ${r.parts?.export.toFixed(2)}`).join(', ');
    console.log(`buildah build + export seconds: cold ${parts(cold.buildah)}; no-change ${parts([warmB])}; edit ${parts([editB])}`);
    if (rounds > 1) {
      console.log(
        `cold runs, ocibake: ${cold.ocibake.map((r) => r.seconds.toFixed(2)).join(', ')}; buildah: ${cold.buildah.map((r) => r.seconds.toFixed(2)).join(', ')}; ratio per round: ${cold.ocibake.map((r, i) => `${(r.seconds / cold.buildah[i]!.seconds).toFixed(2)}x`).join(', ')}`,
      );
    }
    const loads = [...cold.ocibake, ...cold.buildah, warmO, warmB, editO, editB].map((r) => r.load);
    console.log(
      `load average (1 min) before the runs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} on ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores`,
    );
    cold.ocibake.forEach((r, i) => console.log(`apt, ocibake cold ${i + 1}: ${aptFetched(r)}`));
    cold.buildah.forEach((r, i) => console.log(`apt, buildah cold ${i + 1}: ${aptFetched(r)}`));
    console.log('');
    console.log('outputs checked (no ocibake code: index/manifest/config JSON read by hand, layers extracted with tar, the binary run):');
    for (const c of checks) console.log(`  ${c}`);
    const section = (title: string, rows: string[]) => {
      console.log('');
      console.log(title);
      for (const r of rows) console.log(`  ${r}`);
    };
    cold.ocibake.forEach((r, i) => section(`ocibake cold ${i + 1} (load ${r.load.toFixed(2)}), where the time went:`, ocibakeBreakdown(r.runs[0]!)));
    section(`ocibake no-change rebuild (load ${warmO.load.toFixed(2)}):`, ocibakeBreakdown(warmO.runs[0]!));
    section(`ocibake rebuild after the edit (load ${editO.load.toFixed(2)}):`, ocibakeBreakdown(editO.runs[0]!));
    cold.buildah.forEach((r, i) =>
      section(`buildah cold ${i + 1} (load ${r.load.toFixed(2)}), per STEP (times from when its lines arrived):`, buildahBreakdown(r.runs[0]!)),
    );
    section(`buildah rebuild after the edit (load ${editB.load.toFixed(2)}):`, buildahBreakdown(editB.runs[0]!));
    if (values.keep) console.log(`\nlogs with per-line times: ${logs}`);
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
