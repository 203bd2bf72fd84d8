import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckConfig, ruleEnabled } from '../../../../../lib/dockerfile/checks/config.js';
import { RULES } from '../../../../../lib/dockerfile/checks/rules.js';

test('parseCheckConfig reads skip, experimental and error, trimming blanks', () => {
  const c = parseCheckConfig(' skip = JSONArgsRecommended , StageNameCasing ; error=True;experimental=CopyIgnoredFile');
  assert.deepEqual(
    [[...c.skip], [...c.experimental], c.error, c.skipAll, c.experimentalAll],
    [['JSONArgsRecommended', 'StageNameCasing'], ['CopyIgnoredFile'], true, false, false],
  );
  assert.equal(parseCheckConfig('skip=all').skipAll, true);
  assert.equal(parseCheckConfig('').error, false);
});

test('parseCheckConfig rejects unknown options and values', () => {
  assert.throws(() => parseCheckConfig('level=high'), /invalid check option "level"/);
  assert.throws(() => parseCheckConfig('skip'), /invalid check option "skip"/);
  assert.throws(() => parseCheckConfig('error=yes'), /failed to parse check option "error=yes"/);
});

test('ruleEnabled: skip applies to normal rules, experimental ones need enabling', () => {
  const c = parseCheckConfig('skip=all;experimental=CopyIgnoredFile');
  assert.equal(ruleEnabled(RULES.UndefinedVar, c), false);
  assert.equal(ruleEnabled(RULES.CopyIgnoredFile, c), true);
  assert.equal(ruleEnabled(RULES.CopyIgnoredFile, parseCheckConfig('')), false);
});
