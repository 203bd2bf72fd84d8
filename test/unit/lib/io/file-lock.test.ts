import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../../../../lib/io/file-lock.js';
import { ownerState, selfOwner } from '../../../../lib/io/process-owner.js';
import { tempDir } from '../../../harness/tmp.js';

// pid 2^22+1 is above Linux's pid_max limit, so it is never alive.
const DEAD_PID = 2 ** 22 + 1;

test('ownerState tells a live process, a dead pid and a reused pid apart', () => {
  const me = selfOwner();
  assert.equal(ownerState(me), 'alive');
  assert.equal(ownerState({ pid: DEAD_PID, start: '1' }), 'dead');
  // Our parent runs, but not with this start time: a later process that got the same pid.
  assert.equal(ownerState({ pid: process.ppid, start: '1' }), 'dead');
  assert.equal(ownerState({ pid: process.ppid, start: '0' }), 'alive');
  assert.equal(ownerState({ pid: DEAD_PID, start: '1', pidns: 'pid:[1]' }), me.pidns ? 'unknown' : 'dead');
});

test('withFileLock serialises holders in one process and removes the lock after', async () => {
  const dir = tempDir();
  const lock = join(dir, 'index.json.lock');
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 8 }, () =>
      withFileLock(lock, async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      }),
    ),
  );
  assert.equal(most, 1);
  assert.equal(existsSync(lock), false);
});

test('a lock left by a dead process is taken over at once', async () => {
  const dir = tempDir();
  const lock = join(dir, 'x.lock');
  writeFileSync(lock, JSON.stringify({ pid: DEAD_PID, start: '12345', pidns: selfOwner().pidns, nonce: 'dead' }));
  const stale: string[] = [];
  const t0 = Date.now();
  const got = await withFileLock(lock, async (l) => l.check(), { timeoutMs: 5_000, onStale: (h) => stale.push(h) });
  assert.equal(got, true);
  assert.ok(Date.now() - t0 < 5_000);
  assert.deepEqual(stale, [`pid ${DEAD_PID}`]);
  assert.deepEqual(readdirSync(dir), [], 'no lock and no renamed-aside leftovers');
});

test('a lock held by a live process is waited for, then fails with a hint naming the file', async () => {
  const dir = tempDir();
  const lock = join(dir, 'x.lock');
  const held = JSON.stringify({ pid: process.ppid, start: '0', nonce: 'live' });
  writeFileSync(lock, held);
  await assert.rejects(
    withFileLock(lock, async () => 1, { timeoutMs: 200 }),
    (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, 'OCIBAKE_STORE');
      assert.match(err.message, new RegExp(`held by pid ${process.ppid}`));
      assert.match(err.hint ?? '', /remove .*x\.lock/);
      return true;
    },
  );
  assert.equal(readFileSync(lock, 'utf8'), held, "a live holder's lock is never touched");
});

test('an unreadable lock is waited for while fresh and recovered once old', async () => {
  const dir = tempDir();
  const lock = join(dir, 'x.lock');
  writeFileSync(lock, '');
  await assert.rejects(
    withFileLock(lock, async () => 1, { timeoutMs: 100 }),
    /timed out/,
  );
  const old = new Date(Date.now() - 120_000);
  utimesSync(lock, old, old);
  assert.equal(await withFileLock(lock, async () => 2, { timeoutMs: 2_000 }), 2);
});

test('a holder whose lock was recovered from under it sees check() fail and leaves the new lock alone', async () => {
  const dir = tempDir();
  const lock = join(dir, 'x.lock');
  const other = JSON.stringify({ pid: process.ppid, start: '0', nonce: 'other' });
  await withFileLock(lock, async (l) => {
    writeFileSync(lock, other);
    assert.equal(await l.check(), false);
  });
  assert.equal(readFileSync(lock, 'utf8'), other);
});
