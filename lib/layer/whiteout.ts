import { tarPath } from './confined-tree.js';
import { unsafeEntry } from './errors.js';

/** `WHITEOUT_PREFIX` starts the name of an OCI whiteout file (`.wh.<name>` deletes `<name>`; image-spec layer.md). */
export const WHITEOUT_PREFIX = '.wh.';
/** `OPAQUE_MARKER` is the OCI opaque-directory marker: its directory hides all lower-layer content. */
export const OPAQUE_MARKER = '.wh..wh..opq';

/** `LayerMember` is what a member's name means in a layer: an entry, a whiteout of `subject`, or the opaque marker of `dir`. */
export type LayerMember =
  | { kind: 'entry'; rel: string; subject: string }
  | { kind: 'whiteout'; rel: string; subject: string; dir: string }
  | { kind: 'opaque'; rel: string; subject: string; dir: string };

/** `classifyMember` cleans a member name (refusing escapes, see `tarPath`) and tells whiteouts and opaque markers apart. */
export function classifyMember(name: string): LayerMember {
  const rel = tarPath(name);
  const slash = rel.lastIndexOf('/');
  const base = rel.slice(slash + 1);
  const dir = slash < 0 ? '' : rel.slice(0, slash);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', rel, subject: rel, dir };
  if (base.startsWith(WHITEOUT_PREFIX) && base.length > WHITEOUT_PREFIX.length) {
    const target = base.slice(WHITEOUT_PREFIX.length);
    if (target === '.' || target === '..') throw unsafeEntry(name, 'whiteout of "." or ".."');
    return { kind: 'whiteout', rel, subject: dir ? `${dir}/${target}` : target, dir };
  }
  return { kind: 'entry', rel, subject: rel };
}
