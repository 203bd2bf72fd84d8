// Throwaway host users for rootless end-to-end tests: made with useradd (no automatic subordinate
// ids), given /etc/subuid and /etc/subgid ranges of their own on request, and removed again with
// those files restored byte for byte. Needs root. Cleanup is synchronous, so it can also run from
// a process 'exit' handler when a test run is interrupted.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const FILES = ['/etc/subuid', '/etc/subgid'] as const;

/** A subordinate id range, as one /etc/subuid line holds it. */
export interface IdRangeLine {
  start: number;
  count: number;
}

/** `TestUser` is one user made by `TestUsers`. */
export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** The user's /etc/subuid and /etc/subgid range (the same numbers in both), if it has one. */
  range?: IdRangeLine | undefined;
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The first id after every range in /etc/subuid and /etc/subgid, rounded up to a multiple of 65536. */
function firstFreeId(): number {
  let end = 100_000;
  for (const f of FILES) {
    for (const line of readOr(f).split('\n')) {
      const [, start, count] = line.split(':').map((s) => s.trim());
      const e = Number(start) + Number(count);
      if (Number.isSafeInteger(e)) end = Math.max(end, e);
    }
  }
  return Math.ceil(end / 65536) * 65536;
}

/**
 * `TestUsers` creates users and their subordinate id ranges and takes all of it away in `cleanup`.
 *
 *   const users = new TestUsers();
 *   const u = users.add(`obtest-range-${process.pid}`, { range: true });
 *   … runuser -u u.name -- … …
 *   users.cleanup();
 */
export class TestUsers {
  readonly #original = new Map<string, string>(FILES.map((f) => [f, readOr(f)]));
  readonly #users: TestUser[] = [];
  /** Lines this object appended, per file. */
  readonly #lines = new Map<string, string[]>(FILES.map((f) => [f, []]));
  #nextRange: number;

  constructor() {
    // A pid-dependent offset keeps two test processes that start at once off each other's ids.
    this.#nextRange = firstFreeId() + (process.pid % 64) * 65536;
  }

  /** `add` creates a user with its own group, no home directory and no login shell; `range` gives it 65536 subordinate ids. */
  add(name: string, o: { range?: boolean } = {}): TestUser {
    // -K SUB_*_COUNT=0: useradd would otherwise append a range of its own choosing to /etc/subuid.
    execFileSync('useradd', ['-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', '-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0', name], { stdio: 'pipe' });
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    const user: TestUser = { name, uid, gid };
    this.#users.push(user);
    if (o.range) this.setRange(user, this.freshRange());
    return user;
  }

  /** `freshRange` is a range of 65536 ids no /etc/subuid or /etc/subgid line (or earlier call) uses. */
  freshRange(): IdRangeLine {
    const start = Math.max(this.#nextRange, firstFreeId());
    this.#nextRange = start + 65536;
    return { start, count: 65536 };
  }

  /** `setRange` replaces the user's lines in /etc/subuid and /etc/subgid (both files hold the same range). */
  setRange(user: TestUser, range: IdRangeLine): void {
    for (const f of FILES) {
      const mine = this.#lines.get(f)!;
      const old = user.range ? `${user.name}:${user.range.start}:${user.range.count}` : undefined;
      const line = `${user.name}:${range.start}:${range.count}`;
      let text = readOr(f);
      if (old !== undefined) text = dropLine(text, old);
      writeFileSync(f, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
      mine.splice(0, mine.length, ...mine.filter((l) => l !== old), line);
    }
    user.range = range;
  }

  /** `cleanup` removes the lines and users it added, then checks the id files are byte for byte as they were; returns what went wrong. */
  cleanup(): string[] {
    const problems: string[] = [];
    for (const f of FILES) {
      let text = readOr(f);
      for (const line of this.#lines.get(f)!) text = dropLine(text, line);
      writeFileSync(f, text);
      this.#lines.set(f, []);
    }
    for (const u of this.#users.splice(0)) {
      try {
        execFileSync('userdel', [u.name], { stdio: 'pipe' });
      } catch (err) {
        problems.push(`userdel ${u.name}: ${(err as Error).message}`);
      }
    }
    // Only another process editing the files at the same time makes this differ; theirs is kept then.
    for (const f of FILES) if (readOr(f) !== this.#original.get(f)) problems.push(`${f} is not as it was before the test`);
    return problems;
  }
}

function dropLine(text: string, line: string): string {
  const lines = text.split('\n');
  const i = lines.indexOf(line);
  if (i >= 0) lines.splice(i, 1);
  return lines.join('\n');
}
