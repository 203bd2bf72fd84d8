import { arch as hostArch } from 'node:os';
import { OcibakeError } from '../errors.js';

/** `Platform` is an OCI platform: os/architecture[/variant]. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

// Aliases people type (uname -m, Alpine/Debian arch names) → OCI architecture (+ default variant).
const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  amd64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  arm64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v6' },
  armel: { architecture: 'arm', variant: 'v5' },
  armv5: { architecture: 'arm', variant: 'v5' },
  armv6: { architecture: 'arm', variant: 'v6' },
  armv6l: { architecture: 'arm', variant: 'v6' },
  armv7: { architecture: 'arm', variant: 'v7' },
  armv7l: { architecture: 'arm', variant: 'v7' },
  arm: { architecture: 'arm' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  x86: { architecture: '386' },
  '386': { architecture: '386' },
  ppc64le: { architecture: 'ppc64le' },
  ppc64el: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
  loong64: { architecture: 'loong64' },
  loongarch64: { architecture: 'loong64' },
  mips64le: { architecture: 'mips64le' },
  wasm: { architecture: 'wasm' },
};

const KNOWN_OS = new Set(['linux', 'windows', 'darwin', 'freebsd', 'wasip1', 'js']);

/**
 * `normalizePlatform` applies containerd's rules: arm64 has variant v8 implied (so `arm64/v8`
 * equals `arm64`), arm without a variant means v7, amd64 keeps an explicit v1..v4 variant only
 * when it is not v1.
 */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  const alias = ARCH_ALIASES[p.architecture.toLowerCase()];
  const architecture = alias?.architecture ?? p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || alias?.variant;
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'arm') {
    if (variant === undefined) variant = 'v7';
    else if (/^[5-8]$/.test(variant)) variant = `v${variant}`;
  }
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  const out: Platform = { os, architecture };
  if (variant) out.variant = variant;
  if (p.osVersion) out.osVersion = p.osVersion;
  return out;
}

/**
 * `parsePlatform` parses `os/arch[/variant]` (also a bare arch such as `arm64`, meaning linux).
 * The result is normalised; unknown OS or malformed strings are an error with a hint.
 */
export function parsePlatform(text: string): Platform {
  const trimmed = text.trim();
  const parts = trimmed.split('/');
  if (trimmed === '' || parts.length > 3 || parts.some((s) => s === '' || !/^[A-Za-z0-9_.-]+$/.test(s))) {
    throw invalidPlatform(text);
  }
  let os: string;
  let rest: string[];
  if (parts.length === 1) {
    // A lone word is an architecture (docker accepts `--platform arm64`), unless it is an OS name.
    if (KNOWN_OS.has(parts[0]!.toLowerCase())) {
      os = parts[0]!;
      rest = [defaultArchitecture()];
    } else {
      os = 'linux';
      rest = parts;
    }
  } else {
    os = parts[0]!;
    rest = parts.slice(1);
  }
  if (!KNOWN_OS.has(os.toLowerCase())) throw invalidPlatform(text, `unknown operating system "${os}"`);
  const arch = rest[0]!;
  if (!ARCH_ALIASES[arch.toLowerCase()]) throw invalidPlatform(text, `unknown architecture "${arch}"`);
  const p: Platform = { os, architecture: arch };
  if (rest[1] !== undefined) p.variant = rest[1];
  return normalizePlatform(p);
}

function invalidPlatform(text: string, why?: string): OcibakeError {
  return new OcibakeError('OCIBAKE_INVALID_PLATFORM', `invalid platform ${JSON.stringify(text)}${why ? `: ${why}` : ''}`, {
    hint: 'use os/arch[/variant], e.g. linux/amd64, linux/arm64, linux/arm/v7, linux/riscv64',
  });
}

/** `parsePlatformList` parses a comma separated `--platform` value, de-duplicating in order. */
export function parsePlatformList(text: string): Platform[] {
  const out: Platform[] = [];
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const p = parsePlatform(part);
    const key = formatPlatform(p);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  if (out.length === 0) throw invalidPlatform(text);
  return out;
}

/** `formatPlatform` prints `os/arch[/variant]`, the form buildx prints and TARGETPLATFORM holds. */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** `platformEquals` compares two platforms after normalisation. */
export function platformEquals(a: Platform, b: Platform): boolean {
  return formatPlatform(normalizePlatform(a)) === formatPlatform(normalizePlatform(b));
}

/**
 * `platformMatches` tells whether an index entry's platform (`candidate`) serves a requested one.
 * os and architecture must be equal; the variant must be equal after normalisation. `unknown`
 * entries (attestation manifests) never match.
 */
export function platformMatches(requested: Platform, candidate: Platform): boolean {
  if (candidate.os === 'unknown' || candidate.architecture === 'unknown') return false;
  return platformEquals(requested, candidate);
}

function defaultArchitecture(): string {
  return ARCH_ALIASES[hostArch()]?.architecture ?? hostArch();
}

/** `hostPlatform` is the platform of the machine ocibake runs on (BUILDPLATFORM). */
export function hostPlatform(): Platform {
  const node = hostArch();
  const map: Record<string, Platform> = {
    x64: { os: 'linux', architecture: 'amd64' },
    arm64: { os: 'linux', architecture: 'arm64' },
    arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
    ia32: { os: 'linux', architecture: '386' },
    ppc64: { os: 'linux', architecture: 'ppc64le' },
    s390x: { os: 'linux', architecture: 's390x' },
    riscv64: { os: 'linux', architecture: 'riscv64' },
    loong64: { os: 'linux', architecture: 'loong64' },
  };
  const p = map[node] ?? { os: 'linux', architecture: node };
  return { ...p, os: process.platform === 'win32' ? 'windows' : process.platform };
}

/**
 * `platformArgs` returns BuildKit's automatic platform args for a prefix (`TARGET` or `BUILD`):
 * `<P>PLATFORM`, `<P>OS`, `<P>ARCH`, `<P>VARIANT` (empty string when there is no variant).
 */
export function platformArgs(prefix: 'TARGET' | 'BUILD', p: Platform): Record<string, string> {
  return {
    [`${prefix}PLATFORM`]: formatPlatform(p),
    [`${prefix}OS`]: p.os,
    [`${prefix}ARCH`]: p.architecture,
    [`${prefix}VARIANT`]: p.variant ?? '',
  };
}
