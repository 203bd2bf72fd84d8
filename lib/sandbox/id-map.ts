import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

/** `IdRange` maps `count` ids starting at `inner` in the namespace to `outer` on the host. */
export interface IdRange {
  inner: number;
  outer: number;
  count: number;
}

/** `IdMapping` is a user namespace's uid and gid maps. */
export interface IdMapping {
  uids: IdRange[];
  gids: IdRange[];
}

/**
 * `subordinateRange` reads the first `/etc/subuid` (or `/etc/subgid`) range of the current user,
 * matched by name or by uid as shadow-utils does; undefined when there is none.
 */
export function subordinateRange(
  file: '/etc/subuid' | '/etc/subgid',
  read: (f: string) => string = (f) => readFileSync(f, 'utf8'),
): { start: number; count: number } | undefined {
  let text: string;
  try {
    text = read(file);
  } catch {
    return undefined;
  }
  const me = userInfo();
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (who === undefined || start === undefined || count === undefined) continue;
    if (who !== me.username && who !== String(me.uid)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(c) && c > 0) return { start: s, count: c };
  }
  return undefined;
}

/**
 * `rangeMapping` is the mapping ocibake uses with a subordinate range: namespace root is the
 * user, namespace ids 1…count are the range (so `_apt`, `nobody` and every uid a package ships
 * exist). It needs newuidmap/newgidmap (the `uidmap` package).
 */
export function rangeMapping(uid: number, gid: number, subuid: { start: number; count: number }, subgid: { start: number; count: number }): IdMapping {
  return {
    uids: [
      { inner: 0, outer: uid, count: 1 },
      { inner: 1, outer: subuid.start, count: Math.min(subuid.count, 65536) },
    ],
    gids: [
      { inner: 0, outer: gid, count: 1 },
      { inner: 1, outer: subgid.start, count: Math.min(subgid.count, 65536) },
    ],
  };
}

/** `unshareMapArgs` are util-linux unshare's flags for a mapping (`--map-root-user` plus ranges). */
export function unshareMapArgs(m: IdMapping): string[] {
  const args = ['--user', '--map-root-user'];
  for (const r of m.uids) if (r.inner !== 0) args.push(`--map-users=${r.outer},${r.inner},${r.count}`);
  for (const r of m.gids) if (r.inner !== 0) args.push(`--map-groups=${r.outer},${r.inner},${r.count}`);
  return args;
}

/** `mappingKey` names a mapping for cache keys: snapshots unpacked under one mapping are owned by its ids. */
export function mappingKey(m: IdMapping | undefined): string {
  if (!m) return 'host';
  return `u${m.uids.map((r) => `${r.inner}:${r.outer}:${r.count}`).join(',')};g${m.gids.map((r) => `${r.inner}:${r.outer}:${r.count}`).join(',')}`;
}
