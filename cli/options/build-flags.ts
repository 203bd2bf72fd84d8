import {
  ENTITLEMENTS,
  isEntitlement,
  parsePlatform,
  type BaseOverride,
  type CacheSpec,
  type Entitlement,
  type MediaFormat,
  type OutputSpec,
  type SecretSpec,
} from '../../lib/index.js';
import { badFlag } from './errors.js';

/** `parseKeyValues` splits buildx-style `k=v,k2=v2` (values may not contain commas). */
function parseKeyValues(flag: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw badFlag(flag, text, `"${part}" is not key=value`, `write ${flag} as key=value pairs separated by commas`);
    }
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1));
  }
  return out;
}

/**
 * `parseOutputSpec` reads one `--output` value. Accepted as buildx does: `type=registry`,
 * `type=oci,dest=DIR` (a layout directory; `tar=true` or a dest ending in .tar makes an archive),
 * `type=oci-archive,dest=FILE.tar`, `type=docker,dest=FILE.tar[,platform=linux/arm64]`; a bare
 * path means `type=oci,dest=PATH`.
 */
export function parseOutputSpec(text: string): OutputSpec {
  if (!text.includes('=')) return { type: 'oci', dest: text };
  const kv = parseKeyValues('--output', text);
  const type = kv.get('type');
  const dest = kv.get('dest');
  const needDest = (t: string): string => {
    if (!dest) throw badFlag('--output', text, `type=${t} needs dest=`, `e.g. --output type=${t},dest=./out${t === 'oci' ? '' : '.tar'}`);
    return dest;
  };
  switch (type) {
    case 'registry':
    case 'image':
      return { type: 'registry' };
    case 'oci': {
      const d = needDest('oci');
      if (kv.get('tar') === 'true' || d.endsWith('.tar')) return { type: 'oci-archive', dest: d };
      return { type: 'oci', dest: d };
    }
    case 'oci-archive':
      return { type: 'oci-archive', dest: needDest('oci-archive') };
    case 'docker': {
      const spec: OutputSpec = { type: 'docker', dest: needDest('docker') };
      const p = kv.get('platform');
      if (p) spec.platform = parsePlatform(p);
      return spec;
    }
    default:
      throw badFlag(
        '--output',
        text,
        type ? `unknown type "${type}"` : 'missing type=',
        'use type=registry, type=oci,dest=DIR, type=oci-archive,dest=FILE.tar or type=docker,dest=FILE.tar',
      );
  }
}

const CACHE_HINT = 'use type=registry,ref=REGISTRY/REPO:TAG[,mode=min|max] or type=local,dest=DIR (--cache-to) / type=local,src=DIR (--cache-from)';

/**
 * `parseCacheSpec` reads one `--cache-to` or `--cache-from` value as buildx does:
 * `type=registry,ref=R[,mode=min|max][,ignore-error=true][,compression=gzip][,image-manifest=…][,oci-mediatypes=…]`,
 * `type=local,dest=DIR` (to) or `type=local,src=DIR` (from), or a bare reference meaning
 * `type=registry,ref=REF`. `mode` defaults to `min`, as in buildx. Types ocibake has no backend
 * for (gha, s3, azblob, inline) are refused with what to use instead.
 */
export function parseCacheSpec(flag: '--cache-to' | '--cache-from', text: string): CacheSpec {
  const kv = text.includes('=')
    ? parseKeyValues(flag, text)
    : new Map([
        ['type', 'registry'],
        ['ref', text],
      ]);
  const type = kv.get('type') ?? (kv.has('ref') ? 'registry' : undefined);
  const mode = kv.get('mode') ?? 'min';
  if (mode !== 'min' && mode !== 'max') throw badFlag(flag, text, `mode must be min or max, not "${mode}"`, 'mode=max also keeps build-stage steps');
  const compression = kv.get('compression');
  if (compression !== undefined && compression !== 'gzip' && compression !== 'uncompressed') {
    throw badFlag(flag, text, `compression=${compression} is not supported`, 'cache layers are the build’s own gzip layers; drop compression= or use gzip');
  }
  const ignoreError = kv.get('ignore-error') === 'true';
  for (const k of kv.keys()) {
    if (
      ![
        'type',
        'ref',
        'mode',
        'dest',
        'src',
        'tag',
        'ignore-error',
        'compression',
        'compression-level',
        'force-compression',
        'image-manifest',
        'oci-mediatypes',
      ].includes(k)
    ) {
      throw badFlag(flag, text, `unknown key "${k}"`, CACHE_HINT);
    }
  }
  switch (type) {
    case 'registry': {
      const ref = kv.get('ref');
      if (!ref) throw badFlag(flag, text, 'type=registry needs ref=', 'e.g. type=registry,ref=ghcr.io/org/app:buildcache,mode=max');
      return { type: 'registry', ref, mode, ignoreError };
    }
    case 'local': {
      const dir = flag === '--cache-to' ? kv.get('dest') : kv.get('src');
      if (!dir)
        throw badFlag(
          flag,
          text,
          `type=local needs ${flag === '--cache-to' ? 'dest' : 'src'}=`,
          `e.g. ${flag} type=local,${flag === '--cache-to' ? 'dest' : 'src'}=/tmp/.ocibake-cache`,
        );
      return { type: 'local', dir, tag: kv.get('tag') ?? 'latest', mode, ignoreError };
    }
    case 'gha':
    case 's3':
    case 'azblob':
    case 'inline':
      throw badFlag(
        flag,
        text,
        `type=${type} has no ocibake backend`,
        type === 'gha' ? 'use type=local with actions/cache, or type=registry (e.g. ghcr.io)' : CACHE_HINT,
      );
    default:
      throw badFlag(flag, text, type ? `unknown type "${type}"` : 'missing type=', CACHE_HINT);
  }
}

/**
 * `parseBuildArgs` reads `--build-arg NAME=VALUE` flags. `NAME` alone takes the value from the
 * environment (docker's behaviour) and is dropped when the variable is unset.
 */
export function parseBuildArgs(values: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const name = eq < 0 ? v : v.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw badFlag('--build-arg', v, 'the name is not a valid variable name', 'write --build-arg NAME=VALUE (or NAME to take it from the environment)');
    }
    if (eq < 0) {
      const fromEnv = env[name];
      if (fromEnv !== undefined) out[name] = fromEnv;
    } else {
      out[name] = v.slice(eq + 1);
    }
  }
  return out;
}

/** `parseSecretSpec` reads `--secret id=x,src=FILE`, `id=x,env=VAR` or `id=x` (env var of the same name). */
export function parseSecretSpec(text: string): SecretSpec {
  const kv = parseKeyValues('--secret', text);
  const id = kv.get('id');
  if (!id) throw badFlag('--secret', text, 'missing id=', 'write --secret id=NAME,src=FILE or --secret id=NAME,env=VAR');
  const spec: SecretSpec = { id };
  const src = kv.get('src') ?? kv.get('source');
  const envName = kv.get('env');
  if (src) spec.src = src;
  if (envName) spec.env = envName;
  if (!src && !envName) spec.env = id;
  for (const k of kv.keys()) {
    if (!['id', 'src', 'source', 'env', 'type'].includes(k)) {
      throw badFlag('--secret', text, `unknown key "${k}"`, 'keys are id, src (a file) and env (an environment variable)');
    }
  }
  return spec;
}

/** `parseBaseOverride` reads `--base NAME=REF` or `--base NAME@PLATFORM=REF`. */
export function parseBaseOverride(text: string): BaseOverride {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) {
    throw badFlag(
      '--base',
      text,
      'expected NAME=REF',
      'e.g. --base alpine=oci-layout://./alpine-layout:3.20.3 or --base alpine@linux/arm64=registry/alpine-arm:3.20',
    );
  }
  const left = text.slice(0, eq);
  const ref = text.slice(eq + 1);
  const at = left.indexOf('@');
  if (at < 0) return { name: left, ref };
  return { name: left.slice(0, at), platform: parsePlatform(left.slice(at + 1)), ref };
}

/** `parseFormat` reads `--format oci|docker`. */
export function parseFormat(text: string): MediaFormat {
  if (text === 'oci' || text === 'docker') return text;
  throw badFlag('--format', text, 'unknown format', 'use --format oci (default) or --format docker');
}

/** `parseLabel` reads `--label KEY=VALUE` / `--annotation KEY=VALUE`. */
export function parseKeyValue(flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw badFlag(flag, text, 'expected KEY=VALUE', `write ${flag} KEY=VALUE`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** `parseAllow` reads `--allow` values as buildx does: repeatable, each a comma-separated list of entitlements. */
export function parseAllow(values: readonly string[]): Entitlement[] {
  const out = new Set<Entitlement>();
  for (const v of values) {
    for (const part of v.split(',').map((p) => p.trim())) {
      if (part === '') continue;
      if (!isEntitlement(part)) throw badFlag('--allow', v, `unknown entitlement "${part}"`, `use one of ${ENTITLEMENTS.join(', ')}`);
      out.add(part);
    }
  }
  return [...out];
}
