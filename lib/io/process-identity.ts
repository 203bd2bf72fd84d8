import { readFileSync } from 'node:fs';

/**
 * `processStartTime` is a pid's start time (clock ticks since boot, /proc/<pid>/stat field 22),
 * which tells a process from a later one given the same pid; undefined when it cannot be read.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after its last ')' are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** `processTag` names this process in temp-dir and lock names (`<pid>-<start time>`), for `isProcessAlive`. */
export function processTag(pid: number = process.pid): string {
  return `${pid}-${processStartTime(pid) ?? '0'}`;
}

/**
 * `isProcessAlive` says whether the process a tag named still runs: the pid exists (or belongs to
 * another user) and started at the same time. A start time of `0` (unknown) trusts the pid alone.
 */
export function isProcessAlive(pid: number, started: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(pid);
  return now === undefined || started === '0' || now === started;
}
