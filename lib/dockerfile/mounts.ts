import type { RunMount } from './instructions.js';
import { FlagError } from './flags.js';
import { didYouMean } from './suggest.js';

const KEYS: Record<RunMount['type'], string[]> = {
  bind: ['type', 'target', 'source', 'from', 'readwrite', 'readonly'],
  cache: ['type', 'target', 'id', 'sharing', 'from', 'source', 'readonly', 'mode', 'uid', 'gid', 'readwrite'],
  secret: ['type', 'id', 'target', 'env', 'required', 'mode', 'uid', 'gid'],
  tmpfs: ['type', 'target', 'size'],
  ssh: ['type', 'id', 'target', 'required', 'mode', 'uid', 'gid'],
};
const ALIASES: Record<string, string> = { dst: 'target', destination: 'target', src: 'source', ro: 'readonly', rw: 'readwrite' };

/**
 * `parseMount` parses one `RUN --mount=` value (comma separated `key=value`, `"` quoting allowed)
 * into a typed mount, validating keys per type. Values may still hold `$VAR`; the planner expands
 * the string fields.
 *
 *     parseMount('type=cache,target=/root/.cache/go-build') // { type: 'cache', target: ..., readonly: false }
 */
export function parseMount(value: string): RunMount {
  const fields = splitCsv(value);
  const kv = new Map<string, string | undefined>();
  for (const f of fields) {
    const eq = f.indexOf('=');
    const rawKey = (eq < 0 ? f : f.slice(0, eq)).trim().toLowerCase();
    const key = ALIASES[rawKey] ?? rawKey;
    if (kv.has(key)) throw new FlagError(`--mount: duplicate key ${rawKey}`);
    kv.set(key, eq < 0 ? undefined : f.slice(eq + 1));
  }
  const type = (kv.get('type') ?? 'bind') as RunMount['type'];
  if (!(type in KEYS)) throw new FlagError(`--mount: unsupported mount type ${JSON.stringify(type)}`, 'use type=bind, cache, secret, tmpfs or ssh');
  for (const key of kv.keys()) {
    if (!KEYS[type].includes(key)) throw new FlagError(`--mount: unexpected key '${key}' for type=${type}${didYouMean(key, KEYS[type])}`);
  }
  const str = (k: string): string | undefined => {
    const v = kv.get(k);
    if (kv.has(k) && (v === undefined || v === '')) throw new FlagError(`--mount: ${k} needs a value`);
    return v;
  };
  const bool = (k: string, dflt: boolean): boolean => {
    if (!kv.has(k)) return dflt;
    const v = kv.get(k);
    if (v === undefined || v.toLowerCase() === 'true') return true;
    if (v.toLowerCase() === 'false') return false;
    throw new FlagError(`--mount: ${k} must be true or false, not ${JSON.stringify(v)}`);
  };
  const num = (k: string, radix: number): number | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    const n = radix === 8 ? (/^[0-7]+$/.test(v) ? parseInt(v, 8) : NaN) : /^\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isNaN(n)) throw new FlagError(`--mount: ${k}=${v} is not a valid ${radix === 8 ? 'octal mode' : 'number'}`);
    return n;
  };
  const target = str('target');
  const needTarget = (): string => {
    if (target === undefined) throw new FlagError(`--mount: type=${type} needs target=<path>`);
    return target;
  };
  const put = <T extends object>(o: T, k: string, v: unknown): void => {
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  };
  switch (type) {
    case 'bind': {
      const m: RunMount = { type, target: needTarget(), readwrite: bool('readwrite', false) && !bool('readonly', false) };
      put(m, 'source', str('source'));
      put(m, 'from', str('from'));
      return m;
    }
    case 'cache': {
      const sharing = str('sharing');
      if (sharing !== undefined && !['shared', 'private', 'locked'].includes(sharing)) {
        throw new FlagError(`--mount: unsupported sharing value ${JSON.stringify(sharing)}`, 'use sharing=shared, private or locked');
      }
      const m: RunMount = { type, target: needTarget(), readonly: bool('readonly', false) };
      put(m, 'id', str('id'));
      put(m, 'sharing', sharing);
      put(m, 'from', str('from'));
      put(m, 'source', str('source'));
      put(m, 'mode', num('mode', 8));
      put(m, 'uid', num('uid', 10));
      put(m, 'gid', num('gid', 10));
      return m;
    }
    case 'secret': {
      const id = str('id') ?? (target === undefined ? undefined : target.split('/').filter(Boolean).pop());
      if (id === undefined) throw new FlagError('--mount: type=secret needs id=<name> or target=<path>');
      const m: RunMount = { type, id, required: bool('required', false) };
      put(m, 'target', target);
      put(m, 'env', str('env'));
      put(m, 'mode', num('mode', 8));
      put(m, 'uid', num('uid', 10));
      put(m, 'gid', num('gid', 10));
      return m;
    }
    case 'tmpfs': {
      const m: RunMount = { type, target: needTarget() };
      put(m, 'size', num('size', 10));
      return m;
    }
    case 'ssh': {
      const m: RunMount = { type, required: bool('required', false) };
      put(m, 'id', str('id'));
      put(m, 'target', target);
      return m;
    }
  }
}

function splitCsv(value: string): string[] {
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
  if (quoted) throw new FlagError('--mount: unterminated quote');
  out.push(cur);
  return out.filter((f) => f.trim() !== '');
}
