import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfigStep, initialConfigState, DEFAULT_LINUX_PATH } from '../../../../lib/assemble/config-steps.js';
import type { Instruction } from '../../../../lib/dockerfile/instructions.js';
import type { Step } from '../../../../lib/plan/types.js';
import type { ImageConfig } from '../../../../lib/oci/manifest.js';

const range = { startLine: 1, endLine: 1 };
const step = (instruction: Instruction, over: Partial<Step> = {}): Step => ({ instruction, env: {}, workdir: '/', shell: ['/bin/sh', '-c'], ...over });
const alpine: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
  rootfs: { type: 'layers', diff_ids: [] },
};

test('scratch gets the default PATH; a base PATH is kept', () => {
  assert.deepEqual(initialConfigState(undefined).config.Env, [`PATH=${DEFAULT_LINUX_PATH}`]);
  const s = initialConfigState({ ...alpine, config: { Env: ['PATH=/x'] } });
  assert.deepEqual(s.config.Env, ['PATH=/x']);
});

test('ENV replaces in place and appends new keys', () => {
  const s = initialConfigState(alpine);
  applyConfigStep(s, step({ kind: 'ENV', range, text: 'ENV A=1', pairs: [{ key: 'A', value: '1' }] }));
  applyConfigStep(s, step({ kind: 'ENV', range, text: 'ENV PATH=/p', pairs: [{ key: 'PATH', value: '/p' }] }));
  assert.deepEqual(s.config.Env, ['PATH=/p', 'A=1']);
  assert.equal(alpine.config?.Env?.[0]?.startsWith('PATH=/usr'), true, 'the base config is not mutated');
});

test('ENTRYPOINT clears an inherited CMD but keeps a CMD from the same stage', () => {
  const s = initialConfigState(alpine);
  applyConfigStep(s, step({ kind: 'ENTRYPOINT', range, text: 'ENTRYPOINT ["/main"]', command: { form: 'exec', argv: ['/main'] } }));
  assert.deepEqual(s.config.Entrypoint, ['/main']);
  assert.equal(s.config.Cmd, null);
  const t = initialConfigState(alpine);
  applyConfigStep(t, step({ kind: 'CMD', range, text: 'CMD --help', command: { form: 'shell', text: '--help' } }));
  applyConfigStep(t, step({ kind: 'ENTRYPOINT', range, text: 'ENTRYPOINT ["/main"]', command: { form: 'exec', argv: ['/main'] } }));
  assert.deepEqual(t.config.Cmd, ['/bin/sh', '-c', '--help']);
});

test('shell-form CMD uses the SHELL in effect', () => {
  const s = initialConfigState(alpine);
  applyConfigStep(
    s,
    step({ kind: 'CMD', range, text: 'CMD echo hi', command: { form: 'shell', text: 'echo hi' } }, { shell: ['/bin/bash', '-eo', 'pipefail', '-c'] }),
  );
  assert.deepEqual(s.config.Cmd, ['/bin/bash', '-eo', 'pipefail', '-c', 'echo hi']);
});

test('EXPOSE, VOLUME, LABEL, USER, WORKDIR, STOPSIGNAL, HEALTHCHECK, ONBUILD go where Docker puts them', () => {
  const s = initialConfigState(alpine);
  applyConfigStep(s, step({ kind: 'EXPOSE', range, text: 'EXPOSE 80 53/udp', ports: ['80', '53/udp'] }));
  applyConfigStep(s, step({ kind: 'VOLUME', range, text: 'VOLUME /data', paths: ['/data'] }));
  applyConfigStep(s, step({ kind: 'LABEL', range, text: 'LABEL a=b', pairs: [{ key: 'a', value: 'b' }] }));
  applyConfigStep(s, step({ kind: 'USER', range, text: 'USER 1000:1000', user: '1000:1000' }));
  applyConfigStep(s, step({ kind: 'WORKDIR', range, text: 'WORKDIR app', path: 'app' }, { workdir: '/srv/app' }));
  applyConfigStep(s, step({ kind: 'STOPSIGNAL', range, text: 'STOPSIGNAL SIGINT', signal: 'SIGINT' }));
  applyConfigStep(
    s,
    step({ kind: 'HEALTHCHECK', range, text: 'HEALTHCHECK …', test: { form: 'shell', text: 'wget -q localhost' }, interval: 30e9, retries: 3 }),
  );
  applyConfigStep(s, step({ kind: 'ONBUILD', range, text: 'ONBUILD RUN x', expression: 'RUN x' }));
  assert.deepEqual(s.config.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(s.config.Volumes, { '/data': {} });
  assert.deepEqual(s.config.Labels, { a: 'b' });
  assert.equal(s.config.User, '1000:1000');
  assert.equal(s.config.WorkingDir, '/srv/app');
  assert.equal(s.config.StopSignal, 'SIGINT');
  assert.deepEqual(s.config.Healthcheck, { Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 30e9, Retries: 3 });
  assert.deepEqual(s.config.OnBuild, ['RUN x']);
});

test('RUN, COPY, ADD and ARG are not config steps', () => {
  const s = initialConfigState(alpine);
  assert.equal(applyConfigStep(s, step({ kind: 'ARG', range, text: 'ARG X', args: [{ name: 'X' }] })), false);
  assert.equal(applyConfigStep(s, step({ kind: 'RUN', range, text: 'RUN x', command: { form: 'shell', text: 'x' }, mounts: [], heredocs: [] })), false);
});
