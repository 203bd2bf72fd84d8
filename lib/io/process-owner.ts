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

/** `parseOwnerTag` reads `<pid>-<start>` back (at the start of `text`); undefined when it is not one. */
export function parseOwnerTag(text: string): { pid: number; start: string } | undefined {
  const m = /^(\d+)-(\d+)(?:$|[^0-9])/.exec(text);
  return m ? { pid: Number(m[1]), start: m[2]! } : undefined;
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
