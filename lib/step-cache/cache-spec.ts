import type { CacheMode } from './cache-artifact.js';

/**
 * `CacheSpec` is one `--cache-to` or `--cache-from`: a registry reference (the cache lives as an
 * OCI artifact next to the image) or a local OCI layout directory (for `actions/cache`).
 */
export type CacheSpec =
  { type: 'registry'; ref: string; mode: CacheMode; ignoreError: boolean } | { type: 'local'; dir: string; tag: string; mode: CacheMode; ignoreError: boolean };

/** `describeCache` names a cache in messages: `registry.example.com/app:cache` or `local:./cache`. */
export function describeCache(s: CacheSpec): string {
  return s.type === 'registry' ? s.ref : `local:${s.dir}`;
}
