import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCommand } from '../../../../../lib/dockerfile/ast/split-command.js';

test('splitCommand separates keyword, flags and arguments', () => {
  assert.deepEqual(splitCommand('COPY --from=build --chown="1:1" /out /app'), { keyword: 'COPY', flags: ['--from=build', '--chown=1:1'], rest: '/out /app' });
  assert.deepEqual(splitCommand('COPY --doit=true -- --not-a-flag /x'), { keyword: 'COPY', flags: ['--doit=true'], rest: '--not-a-flag /x' });
  assert.deepEqual(splitCommand('CMD --doit [ "a" ]'), { keyword: 'CMD', flags: ['--doit'], rest: '[ "a" ]' });
  assert.deepEqual(splitCommand('  run\techo -- x  '), { keyword: 'run', flags: [], rest: 'echo -- x' });
  assert.deepEqual(splitCommand('HEALTHCHECK'), { keyword: 'HEALTHCHECK', flags: [], rest: '' });
});
