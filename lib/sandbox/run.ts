import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxCaps } from './caps.js';
import { SandboxError } from './errors.js';
import { unshareMapArgs } from './id-map.js';
import { mountScript, type SandboxMount, type SandboxProcess } from './script.js';
import { dyingWithParent } from './tools.js';

/** `SandboxRun` is one RUN: the stage's layers, where its writes go, and the process. */
export interface SandboxRun extends SandboxProcess {
  caps: SandboxCaps;
  /** Snapshot dirs of the stage's filesystem, lowest first. */
  lowers: readonly string[];
  /** A fresh directory for this RUN (on the snapshots' filesystem): upper/, work/, merged/ are made in it. */
  scratch: string;
  env: Record<string, string>;
  mounts: readonly SandboxMount[];
  network: 'default' | 'none' | 'host';
  /** Targets of /etc/resolv.conf and /etc/hosts inside the root, resolved through the image's symlinks. */
  resolvConfTarget: string;
  hostsTarget: string;
  signal?: AbortSignal | undefined;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

/** How the process ended, and where its writes are. */
export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  /** The RUN's overlay upper dir: everything it changed (whiteouts as 0/0 devices, opaque dirs marked). */
  upper: string;
  /** Mount points the sandbox created inside the root (`/etc/resolv.conf` in an image without one): not the RUN's doing. */
  stubs: string[];
}

/** BuildKit's /etc/hosts for a RUN, with its hostname. */
const HOSTS = '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n';

/**
 * `runInSandbox` runs one RUN in its stage's own root filesystem, isolated by namespaces with no
 * daemon and no runtime: `unshare` (mount, pid, uts; user when not root; net for `--network=none`)
 * starts a shell that assembles the root (see `mountScript`) and runs the process. Killing the
 * build kills the namespace's pid 1 (`--kill-child`), and with it every process the RUN started
 * and every mount. The host's filesystem is never written: the process's root is the overlay,
 * whose writes land in `scratch/upper`.
 *
 *   const r = await runInSandbox({ caps, lowers, scratch, argv: ['/bin/sh', '-c', 'apk add curl'], cwd: '/', env, mounts: [], … });
 */
export async function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  const { caps } = run;
  const dirs = { upper: join(run.scratch, 'upper'), work: join(run.scratch, 'work'), merged: join(run.scratch, 'merged'), lowers: join(run.scratch, 'lowers') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.lowers, 'empty'));
  run.lowers.forEach((l, i) => symlinkSync(l, join(dirs.lowers, `l${i}`)));
  const resolvConf = join(run.scratch, 'resolv.conf');
  const hosts = join(run.scratch, 'hosts');
  if (existsSync('/etc/resolv.conf')) copyFileSync('/etc/resolv.conf', resolvConf);
  else writeFileSync(resolvConf, '');
  writeFileSync(hosts, HOSTS);
  const script = mountScript(
    caps,
    {
      lowersDir: dirs.lowers,
      lowerCount: run.lowers.length,
      upper: dirs.upper,
      work: dirs.work,
      merged: dirs.merged,
      resolvConf,
      hosts,
      resolvConfTarget: run.resolvConfTarget,
      hostsTarget: run.hostsTarget,
      network: run.network,
      hostname: 'buildkitsandbox',
      startedMarker: join(run.scratch, 'started'),
      stubList: join(run.scratch, 'stubs'),
    },
    run.mounts,
    run,
  );
  const ns = caps.mode === 'root' ? [] : caps.mode === 'userns-range' && caps.mapping ? unshareMapArgs(caps.mapping) : ['--user', '--map-root-user'];
  const args = [
    ...ns,
    '--mount',
    '--propagation',
    'private',
    '--pid',
    '--fork',
    '--kill-child',
    '--uts',
    ...(run.network === 'none' ? ['--net'] : []),
    '--',
    caps.tools.sh,
    '-c',
    script,
  ];
  const errors: Buffer[] = [];
  const keep = (c: Buffer): void => {
    errors.push(c);
    if (errors.length > 64) errors.shift();
  };
  const [cmd, argv] = dyingWithParent(caps.tools, caps.tools.unshare, args);
  const result = await spawnSandbox(cmd, argv, { ...run, onStderr: (c) => (keep(c), run.onStderr(c)) });
  if (!existsSync(join(run.scratch, 'started'))) {
    const why = Buffer.concat(errors).toString('utf8').trim().split('\n').slice(-3).join('; ');
    throw new SandboxError('OCIBAKE_EXEC', `setting up the RUN's root filesystem failed${why ? `: ${why}` : ''}`, {
      hint: `isolation: ${caps.mode}, ${caps.cow}. Run with --debug for the mount script, or use --executor=host`,
    });
  }
  const stubs = readFileSync(join(run.scratch, 'stubs'), 'utf8').split('\n').filter(Boolean);
  return { ...result, upper: dirs.upper, stubs };
}

function spawnSandbox(cmd: string, args: string[], run: SandboxRun): Promise<{ exitCode: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) {
      reject(new SandboxError('OCIBAKE_ABORTED', 'the build was cancelled'));
      return;
    }
    const child = spawn(cmd, args, { env: run.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    run.signal?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (c: Buffer) => run.onStdout(c));
    child.stderr.on('data', (c: Buffer) => run.onStderr(c));
    child.on('error', (err) => {
      run.signal?.removeEventListener('abort', kill);
      reject(new SandboxError('OCIBAKE_EXEC', `starting ${cmd}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, sig) => {
      run.signal?.removeEventListener('abort', kill);
      if (run.signal?.aborted) reject(new SandboxError('OCIBAKE_ABORTED', 'the build was cancelled'));
      else resolve({ exitCode: code, signal: sig });
    });
  });
}
