import type { RunMount } from './instructions.js';
import { syntax } from './build/instruction-error.js';
import { didYouMean } from './suggest.js';
import { ramInBytes } from '../io/ram-bytes.js';

type MountType = RunMount['type'];
const TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING = ['shared', 'private', 'locked'] as const;
const ALL_KEYS = [
  'type',
  'from',
  'source',
  'target',
  'readonly',
  'id',
  'sharing',
  'required',
  'mode',
  'uid',
  'gid',
  'src',
  'dst',
  'ro',
  'rw',
  'readwrite',
  'size',
  'env',
  'destination',
];

/** The fields of one `--mount`, as BuildKit collects them before building the typed mount. */
interface Fields {
  type: MountType;
  from?: string;
  source?: string;
  target?: string;
  readonly?: boolean;
  required: boolean;
  size?: number;
  id?: string;
  sharing?: (typeof SHARING)[number];
  mode?: number;
  uid?: number;
  gid?: number;
  env?: string;
}

/**
 * `parseMount` parses one `RUN --mount=` value with BuildKit's rules: comma-separated CSV fields;
 * `type` defaults to bind; `ro`/`rw`/`readonly`/`readwrite` (and `required` for secret and ssh)
 * may stand alone; bind, secret and ssh mounts are read-only unless told otherwise. A bind mount
 * without `target` gets `target: ''`, which means the working directory (BuildKit joins the
 * target to it). Values may still hold `$VAR`; the planner expands the string fields.
 *
 *     parseMount('type=cache,target=/root/.cache/go-build') // { type: 'cache', target: '/root/.cache/go-build', readonly: false }
 *     parseMount('ro') // { type: 'bind', target: '', readwrite: false }
 */
export function parseMount(value: string): RunMount {
  const f: Fields = { type: 'bind', required: false };
  for (const field of splitCsv(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) bareKey(f, key, field);
    else setKey(f, key, field.slice(eq + 1), field);
  }
  return typed(f);
}

function bareKey(f: Fields, key: string, field: string): void {
  if (key === 'readonly' || key === 'ro') f.readonly = true;
  else if (key === 'readwrite' || key === 'rw') f.readonly = false;
  else if (key === 'required' && (f.type === 'secret' || f.type === 'ssh')) f.required = true;
  else if (key === 'required') throw syntax(`--mount: unexpected key '${key}' for mount type '${f.type}'`);
  else throw syntax(`--mount: invalid field '${field}' must be a key=value pair`);
}

function setKey(f: Fields, key: string, v: string, field: string): void {
  switch (key) {
    case 'type': {
      const t = v.toLowerCase() as MountType;
      if (!TYPES.includes(t))
        throw syntax(`--mount: unsupported mount type ${JSON.stringify(v)}${didYouMean(v, TYPES)}`, 'use type=bind, cache, secret, tmpfs or ssh');
      f.type = t;
      return;
    }
    case 'from':
      f.from = v;
      return;
    case 'source':
    case 'src':
      f.source = v;
      return;
    case 'target':
    case 'dst':
    case 'destination':
      f.target = v;
      return;
    case 'readonly':
    case 'ro':
      f.readonly = bool(key, v);
      return;
    case 'readwrite':
    case 'rw':
      f.readonly = !bool(key, v);
      return;
    case 'required':
      if (f.type !== 'secret' && f.type !== 'ssh') throw syntax(`--mount: unexpected key '${key}' for mount type '${f.type}'`);
      f.required = bool(key, v);
      return;
    case 'size':
      if (f.type !== 'tmpfs') throw syntax(`--mount: unexpected key '${key}' for mount type '${f.type}'`);
      f.size = ramBytes(v);
      return;
    case 'id':
      f.id = v;
      return;
    case 'sharing': {
      const s = v.toLowerCase() as Fields['sharing'] & string;
      if (!SHARING.includes(s))
        throw syntax(`--mount: unsupported sharing value ${JSON.stringify(v)}${didYouMean(v, SHARING)}`, 'use sharing=shared, private or locked');
      f.sharing = s;
      return;
    }
    case 'mode':
      f.mode = uint(key, v, 8);
      return;
    case 'uid':
      f.uid = uint(key, v, 10);
      return;
    case 'gid':
      f.gid = uint(key, v, 10);
      return;
    case 'env':
      f.env = v;
      return;
    default:
      throw syntax(`--mount: unexpected key '${key}' in '${field}'${didYouMean(key, ALL_KEYS)}`);
  }
}

function typed(f: Fields): RunMount {
  if (f.type !== 'secret' && f.type !== 'ssh' && f.type !== 'cache') {
    for (const k of ['mode', 'uid', 'gid'] as const) if (f[k] !== undefined) throw syntax(`--mount: ${k} not allowed for "${f.type}" type mounts`);
  }
  if (f.sharing !== undefined && f.type !== 'cache') throw syntax(`--mount: invalid cache sharing set for ${f.type} mount`);
  if (f.target !== undefined && f.target.replace(/\/+/g, '/') === '/') throw syntax(`--mount: invalid mount target "/"`);
  const put = <T extends object>(o: T, k: string, v: unknown): T => {
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
    return o;
  };
  const needTarget = (): string => {
    if (f.target === undefined) throw syntax(`--mount: type=${f.type} needs target=<path>`, 'ocibake needs the target of cache and tmpfs mounts spelled out');
    return f.target;
  };
  switch (f.type) {
    case 'bind': {
      const m: RunMount = { type: 'bind', target: f.target ?? '', readwrite: f.readonly === false };
      put(m, 'source', f.source);
      return put(m, 'from', f.from);
    }
    case 'cache': {
      const m: RunMount = { type: 'cache', target: needTarget(), readonly: f.readonly === true };
      for (const k of ['id', 'sharing', 'from', 'source', 'mode', 'uid', 'gid'] as const) put(m, k, f[k]);
      return m;
    }
    case 'tmpfs':
      return put({ type: 'tmpfs', target: needTarget() }, 'size', f.size);
    case 'secret': {
      if (f.from !== undefined) throw syntax('--mount: secret mount should not have a from');
      if (f.source !== undefined && f.id !== undefined) throw syntax("--mount: both source and id can't be set");
      const id = f.source ?? f.id ?? (f.target === undefined ? undefined : baseName(f.target));
      if (id === undefined) throw syntax('--mount: invalid secret mount. one of source, target required', 'write --mount=type=secret,id=<name>');
      const m: RunMount = { type: 'secret', id, required: f.required };
      for (const k of ['target', 'env', 'mode', 'uid', 'gid'] as const) put(m, k, f[k]);
      return m;
    }
    case 'ssh': {
      const m: RunMount = { type: 'ssh', required: f.required };
      put(m, 'id', f.id);
      return put(m, 'target', f.target);
    }
  }
}

function bool(key: string, v: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw syntax(`--mount: invalid value for ${key}: ${v}`);
}

function uint(key: string, v: string, radix: 8 | 10): number {
  const ok = radix === 8 ? /^[0-7]+$/.test(v) : /^[0-9]+$/.test(v);
  const n = ok ? parseInt(v, radix) : NaN;
  if (!ok || n > 0xffffffff) throw syntax(`--mount: invalid value ${v} for ${key}`);
  return n;
}

/** Docker's `units.RAMInBytes`: `512`, `64m`, `1.5GiB` (binary multiples, case-insensitive). */
function ramBytes(v: string): number {
  const n = ramInBytes(v);
  if (n === undefined) throw syntax(`--mount: invalid value for size: ${v}`);
  return n;
}

function baseName(p: string): string {
  const parts = p.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '/';
}

/** Go's `encoding/csv` for one record: `"` quotes a field, `""` inside quotes is a quote. */
function splitCsv(value: string): string[] {
  if (!value.includes('"')) return value.split(',').filter((f) => f !== '');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '"') {
      if (quoted && value[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw syntax('--mount: failed to parse csv mounts: extraneous or missing " in quoted-field');
  out.push(cur);
  return out.filter((f) => f !== '');
}
