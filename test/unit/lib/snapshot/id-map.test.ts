import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insideId, OVERFLOW_ID, parseIdMap } from '../../../../lib/snapshot/id-map.js';

test('parseIdMap reads /proc/<pid>/uid_map; insideId maps host ids back, unmapped ones to the overflow id', () => {
  const map = parseIdMap('         0       1000          1\n         1     100000      65536\n');
  assert.deepEqual(map, [
    { inside: 0, outside: 1000, count: 1 },
    { inside: 1, outside: 100000, count: 65536 },
  ]);
  const cases: [number, number][] = [
    [1000, 0],
    [100000, 1],
    [100999, 1000],
    [165535, 65536],
    [165536, OVERFLOW_ID],
    [0, OVERFLOW_ID],
  ];
  for (const [host, inside] of cases) assert.equal(insideId(map, host), inside, `host ${host}`);
});
