import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { jsonRenderer } from '../../../../cli/render/json.js';

test('jsonRenderer writes every event, but byte progress of a blob at most every 250 ms, summing the bytes', () => {
  const lines: string[] = [];
  const out = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const sink = jsonRenderer(out);
  sink({ type: 'blob', target: 'r/a', digest: 'sha256:x', size: 100, state: 'start' });
  for (let i = 0; i < 50; i++) sink({ type: 'blob', target: 'r/a', digest: 'sha256:x', size: 100, state: 'progress', bytes: 2 });
  sink({ type: 'blob', target: 'r/a', digest: 'sha256:x', size: 100, state: 'uploaded' });
  const events = lines.map((l) => JSON.parse(l) as { state: string; bytes?: number; time: string });
  assert.equal(events[0]!.state, 'start');
  assert.equal(events.at(-1)!.state, 'uploaded');
  const progress = events.filter((e) => e.state === 'progress');
  assert.ok(progress.length >= 1 && progress.length < 5, `${progress.length} progress lines for 50 chunks`);
  assert.equal(progress[0]!.bytes, 2, 'the first one goes out at once');
  assert.ok(events.every((e) => !Number.isNaN(Date.parse(e.time))));
});
