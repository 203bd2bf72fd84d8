import { ramInBytes } from '../../lib/index.js';
import { badFlag } from './errors.js';

/** `parseSize` reads `--keep-storage` as docker does: `512MB`, `10GB`, `1.5g`, plain bytes (units are powers of 1024). */
export function parseSize(text: string): number {
  const n = ramInBytes(text.trim());
  if (n === undefined) throw badFlag('--keep-storage', text, 'not a size', 'e.g. --keep-storage 10GB (or 512MB, 2g, or bytes)');
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `parseUntil` reads `--filter until=DURATION` (Go-style `24h`, `1h30m`, `90m`, plus `7d`) into milliseconds. */
export function parseUntil(text: string): number {
  const m = /^until=(.+)$/.exec(text.trim());
  if (!m) throw badFlag('--filter', text, 'only until=DURATION is supported', 'e.g. --filter until=24h');
  const parts = [...m[1]!.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== m[1])
    throw badFlag('--filter', text, `"${m[1]}" is not a duration`, 'write it as 24h, 90m, 1h30m or 7d');
  return parts.reduce((n, p) => n + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}
