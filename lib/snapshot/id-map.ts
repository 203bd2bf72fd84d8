/** `IdRange` is one line of `/proc/<pid>/uid_map`: `count` ids from `inside` in the namespace are `outside` on the host. */
export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

/** `IdMap` is a user namespace's uid and gid maps, as `/proc/<pid>/{uid,gid}_map` give them. */
export interface IdMap {
  uids: readonly IdRange[];
  gids: readonly IdRange[];
}

/** The kernel's overflow id: what a process in the namespace sees for an unmapped owner. */
export const OVERFLOW_ID = 65534;

/** `parseIdMap` reads the text of a `uid_map`/`gid_map` file (`0 100000 65536` per line). */
export function parseIdMap(text: string): IdRange[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isSafeInteger(n) && n >= 0))
    .map(([inside, outside, count]) => ({ inside: inside!, outside: outside!, count: count! }));
}

/**
 * `insideId` is the id a host (on-disk) id has inside the namespace: what a container process
 * sees and what goes into a layer. An id the namespace does not map shows as `OVERFLOW_ID`, as
 * the kernel shows it.
 */
export function insideId(ranges: readonly IdRange[], hostId: number): number {
  for (const r of ranges) if (hostId >= r.outside && hostId < r.outside + r.count) return r.inside + (hostId - r.outside);
  return OVERFLOW_ID;
}
