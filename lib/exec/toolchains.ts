import { execFileSync } from 'node:child_process';
import { ToolMissingError } from './errors.js';

/**
 * `Toolchain` is the host tool a build-platform stage's FROM image stands for. ocibake does not
 * pull `golang:1.22`; it runs the host's `go`, so the image is a statement of which tool the RUN
 * lines need.
 */
export interface Toolchain {
  /** Image repository name it was matched on (`golang`). */
  image: string;
  /** The version the tag asks for (`1.22` of `golang:1.22-alpine`), if any. */
  requested?: string;
  /** Commands tried in order; the first found on PATH satisfies the stage. */
  tools: string[];
  /** Arguments that print the tool's version. */
  versionArgs: string[];
}

const TABLE: { images: string[]; tools: string[]; versionArgs: string[] }[] = [
  { images: ['golang', 'go'], tools: ['go'], versionArgs: ['version'] },
  { images: ['rust', 'rustlang/rust'], tools: ['cargo'], versionArgs: ['--version'] },
  { images: ['node'], tools: ['node'], versionArgs: ['--version'] },
  { images: ['python', 'pypy'], tools: ['python3'], versionArgs: ['--version'] },
  // Distro and compiler images are used for `gcc`/`make` lines: any C compiler (or zig) will do.
  { images: ['gcc', 'ubuntu', 'debian', 'alpine', 'buildpack-deps', 'fedora', 'busybox'], tools: ['cc', 'gcc', 'clang', 'zig'], versionArgs: ['--version'] },
];

/**
 * `toolchainFor` maps an image reference of a build-platform stage to the host tool it needs,
 * or undefined for an image ocibake knows nothing about (then nothing is checked).
 *
 * @example toolchainFor('docker.io/library/golang:1.22-alpine') // { image: 'golang', requested: '1.22', tools: ['go'], … }
 */
export function toolchainFor(ref: string): Toolchain | undefined {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const tag = colon > slash ? noDigest.slice(colon + 1) : undefined;
  const repo = (colon > slash ? noDigest.slice(0, colon) : noDigest).toLowerCase();
  const path = repo.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  for (const row of TABLE) {
    if (!row.images.includes(path) && !row.images.includes(name)) continue;
    const t: Toolchain = { image: name, tools: row.tools, versionArgs: row.versionArgs };
    const version = tag?.match(/^v?(\d+(?:\.\d+)*)/)?.[1];
    if (version) t.requested = version;
    return t;
  }
  return undefined;
}

/** `ToolCheck` is the outcome of `checkToolchain`: the tool found and what it says its version is. */
export interface ToolCheck {
  tool: string;
  path: string;
  version?: string;
  /** Set when the host's version is older than the image tag asked for (a warning, not an error). */
  warning?: string;
}

/**
 * `checkToolchain` finds the toolchain's tool with `find` (a PATH lookup) and reads its version.
 * A missing tool is a `ToolMissingError` naming the tool, the requested version and the stage;
 * an older version than the tag asks for is returned as a warning (the build may still work).
 */
export function checkToolchain(t: Toolchain, stage: string, ref: string, find: (cmd: string) => string | undefined): ToolCheck {
  for (const tool of t.tools) {
    const path = find(tool);
    if (!path) continue;
    const check: ToolCheck = { tool, path };
    const version = readVersion(path, t.versionArgs);
    if (version) check.version = version;
    if (t.requested && version && compareVersions(version, t.requested) < 0) {
      check.warning = `stage "${stage}" asks for ${ref} (${t.image} ${t.requested}) but the host's ${tool} is ${version}; it runs with the host's ${tool}`;
    }
    return check;
  }
  const wanted = t.requested ? ` ${t.requested}` : '';
  throw new ToolMissingError(
    'OCIBAKE_TOOL_MISSING',
    `stage "${stage}" is FROM ${ref}, which ocibake runs with the host's ${t.tools.join(' or ')}, but none is on PATH (the Dockerfile asks for ${t.image}${wanted}; the host has none)`,
    { hint: `install ${t.tools[0]}${wanted} on this machine (e.g. apt-get install ${aptName(t.tools[0]!)}) or put it on PATH` },
  );
}

function aptName(tool: string): string {
  return ({ go: 'golang-go', cargo: 'cargo', node: 'nodejs', python3: 'python3', cc: 'gcc' } as Record<string, string>)[tool] ?? tool;
}

function readVersion(path: string, args: string[]): string | undefined {
  try {
    const out = execFileSync(path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return out.match(/(\d+\.\d+(?:\.\d+)?)/)?.[1];
  } catch {
    return undefined;
  }
}

/** `compareVersions` compares dotted numeric versions on the components both have (`1.19.8` vs `1.22` → -1). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
