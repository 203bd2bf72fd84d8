import { readFileSync, readlinkSync } from 'node:fs';

/**
 * `ProcessOwner` names a running process well enough to tell, later and from another process,
 * whether it still runs: a pid alone is reused, so its start time (clock ticks since boot,
 * /proc/<pid>/stat field 22) comes with it, and the pid namespace, since a pid means nothing
 * in another one (a sandbox worker, a container sharing the cache).
 */
export interface ProcessOwner {
  pid: number;
  /** Start time of `pid`; '0' where /proc is missing (macOS). */
  start: string;
  /** `pid:[inode]` of the pid namespace; '' where unknown. */
  pidns: string;
}

let self: ProcessOwner | undefined;

/** `selfOwner` is this process as a `ProcessOwner`. */
export function selfOwner(): ProcessOwner {
  self ??= { pid: process.pid, start: startTime(process.pid) ?? '0', pidns: pidNamespace() };
  return self;
}

/** `ownerTag` is the `<pid>-<start>` that owner-named files and directories carry. */
export function ownerTag(o: ProcessOwner = selfOwner()): string {
  return `${o.pid}-${o.start}`;
}

/**
 * `ownerTagWithNamespace` is `<pid>-<start>-<pidns inode>`, for what a process keeps for a long
 * time without touching it (a build's scratch directory): an owner in another pid namespace is
 * then recognised as one this process cannot judge, instead of looking dead.
 */
export function ownerTagWithNamespace(o: ProcessOwner = selfOwner()): string {
  return `${ownerTag(o)}-${/\d+/.exec(o.pidns)?.[0] ?? '0'}`;
}

/** `parseOwnerTag` reads `<pid>-<start>[-<pidns inode>]` back (at the start of `text`); undefined when it is not one. */
export function parseOwnerTag(text: string): { pid: number; start: string; pidns?: string } | undefined {
  const m = /^(\d+)-(\d+)(?:-(\d+))?(?:$|[^0-9])/.exec(text);
  if (!m) return undefined;
  return m[3] && m[3] !== '0' ? { pid: Number(m[1]), start: m[2]!, pidns: `pid:[${m[3]}]` } : { pid: Number(m[1]), start: m[2]! };
}

/**
 * `ownerState` says whether `o` still runs: 'alive', 'dead', or 'unknown' when this process
 * cannot tell (another pid namespace). Callers treat 'unknown' as alive until the thing it owns
 * has gone unchanged long enough.
 */
export function ownerState(o: { pid: number; start: string; pidns?: string | undefined }): 'alive' | 'dead' | 'unknown' {
  const me = selfOwner();
  if (o.pidns && me.pidns && o.pidns !== me.pidns) return 'unknown';
  if (o.pid === me.pid) return o.start === me.start || o.start === '0' ? 'alive' : 'dead';
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    // EPERM: the pid runs, as another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const now = startTime(o.pid);
  if (now === undefined || o.start === '0') return 'alive';
  return now === o.start ? 'alive' : 'dead';
}

/** A pid's start time (field 22 of /proc/<pid>/stat); undefined without /proc. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after its last ')' are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}
