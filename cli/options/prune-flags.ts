import { badFlag } from './errors.js';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** `parseSize` reads `--keep-storage` as docker does: `512MB`, `10GB`, `1.5g`, plain bytes (units are powers of 1024). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE_UNITS[m?.[2]?.toLowerCase() ?? 'x'];
  if (!m || unit === undefined) throw badFlag('--keep-storage', text, 'not a size', 'e.g. --keep-storage 10GB (or 512MB, 2g, or bytes)');
  return Math.floor(Number(m[1]) * unit);
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
