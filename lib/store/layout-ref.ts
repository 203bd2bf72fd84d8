import { isDigest, type Digest } from '../oci/digest.js';

/** `LayoutRef` names an image in an OCI layout directory: `DIR`, `DIR:TAG` or `DIR@sha256:…`. */
export interface LayoutRef {
  dir: string;
  tag?: string;
  digest?: Digest;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * `parseLayoutRef` splits `DIR[:TAG|@DIGEST]` the way skopeo's `oci:` transport does: a digest
 * after the last `@`, else a tag after a `:` that follows the last `/` (so `./out:1.0` has a tag
 * and `/tmp/a:b/out` does not).
 *
 *   parseLayoutRef('out@sha256:ab…') // { dir: 'out', digest: 'sha256:ab…' }
 */
export function parseLayoutRef(spec: string): LayoutRef {
  const at = spec.lastIndexOf('@');
  if (at > 0) {
    const d = spec.slice(at + 1);
    if (isDigest(d)) return { dir: spec.slice(0, at), digest: d };
  }
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && colon > spec.lastIndexOf('/') && TAG.test(spec.slice(colon + 1))) return { dir: spec.slice(0, colon), tag: spec.slice(colon + 1) };
  return { dir: spec };
}
