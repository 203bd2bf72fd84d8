import { formatReference, parseReference } from '../../registry/index.js';
import { formatPlatform, type Platform } from '../oci/platform.js';

/** `BaseOverride` is one `--base NAME[@PLATFORM]=REF`: replaces a FROM image for all or one platform. */
export interface BaseOverride {
  name: string;
  platform?: Platform;
  ref: string;
}

/** The scheme of a base read from an OCI layout directory (`oci-layout://DIR[:tag|@digest]`). */
export const LAYOUT_SCHEME = 'oci-layout://';

/** `fullName` normalises a base name (`alpine` ≡ `docker.io/library/alpine:latest`) for matching and records. */
export function fullName(ref: string): string {
  if (ref.startsWith(LAYOUT_SCHEME)) return ref;
  try {
    return formatReference(parseReference(ref));
  } catch {
    return ref;
  }
}

/** `repoName` is registry and repository only (`alpine:3.20` → `docker.io/library/alpine`). */
export function repoName(ref: string): string {
  try {
    const r = parseReference(ref);
    return `${r.registry}/${r.repository}`;
  } catch {
    return ref;
  }
}

/**
 * `overrideFor` applies `--base`: `--base alpine=…` replaces `FROM alpine`, `FROM alpine:3.20` and
 * `FROM docker.io/library/alpine`; `--base alpine:3.19=…` only that tag; a `NAME@PLATFORM` entry
 * wins over one for all platforms.
 */
export function overrideFor(overrides: readonly BaseOverride[], ref: string, platform: Platform): string | undefined {
  const matches = (o: BaseOverride): boolean =>
    o.name === ref || fullName(o.name) === fullName(ref) || (!/[:@]/.test(o.name.split('/').pop() ?? '') && repoName(o.name) === repoName(ref));
  const specific = overrides.find((o) => o.platform && formatPlatform(o.platform) === formatPlatform(platform) && matches(o));
  return (specific ?? overrides.find((o) => !o.platform && matches(o)))?.ref;
}
