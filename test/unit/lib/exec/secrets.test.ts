import { CacheLayout } from '../../../../lib/cache/layout.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHostStages } from '../../../../lib/exec/run-host-stages.js';
import { SecretError } from '../../../../lib/exec/errors.js';
import type { ProgressEvent } from '../../../../lib/progress.js';
import { instance, plan, run, step } from './hand-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'ocibake-secret-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const FILE_SECRET = `file-secret-${process.pid}-Zq8`;
const ENV_SECRET = `env-secret-${process.pid}-Wx3`;

/** Every file under a dir whose bytes contain the needle (symlink targets too). */
function grep(root: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(root);
  return hits;
}

test('a secret reaches the RUN but never the stage, the cache, the logs or errors', async () => {
  const ctx = join(dir, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(dir, 'secret.txt'), FILE_SECRET);
  process.env['OCIBAKE_TEST_TOKEN'] = ENV_SECRET;
  const events: ProgressEvent[] = [];
  const mounts = [
    { type: 'secret' as const, id: 'file', required: true },
    { type: 'secret' as const, id: 'tok', env: 'TOKEN', required: true },
  ];
  const p = plan([
    instance({
      key: 's',
      name: 's',
      steps: [
        step(
          run(
            'cat /run/secrets/file; echo; echo "$TOKEN"; test "$(cat /run/secrets/file)" = ' +
              FILE_SECRET.slice(0, 5) +
              '"$(cat /run/secrets/file | cut -c6-)" && echo ok > /checked; ls -l /run/secrets > /listing',
            3,
            mounts,
          ),
        ),
      ],
    }),
  ]);
  const secrets = new Map([
    ['file', { src: join(dir, 'secret.txt') }],
    ['tok', { env: 'OCIBAKE_TEST_TOKEN' }],
  ]);
  const workDir = join(dir, 'work');
  const cacheDir = join(dir, 'cache');
  const out = await runHostStages(p, {
    contextDir: ctx,
    dockerfilePath: 'Dockerfile',
    workDir,
    cache: new CacheLayout(cacheDir),
    secrets,
    onEvent: (e) => events.push(e),
  });
  const rootfs = out.get('s')!.rootfs;
  assert.equal(readFileSync(join(rootfs, 'checked'), 'utf8'), 'ok\n', 'the RUN read the secret file');
  const logs = events.filter((e) => e.type === 'log').map((e) => (e as { line: string }).line);
  assert.deepEqual(logs, ['****', '****'], 'secret values printed by the RUN are masked');
  for (const value of [FILE_SECRET, ENV_SECRET]) {
    assert.deepEqual(grep(workDir, value), [], 'work dir');
    assert.deepEqual(grep(cacheDir, value), [], 'cache dir (stage outputs, meta.json, tool caches)');
    assert.ok(!JSON.stringify(events).includes(value), 'events');
  }

  const failing = plan([instance({ key: 'f', name: 'f', steps: [step(run('echo "leak: $(cat /run/secrets/file)"; exit 1', 4, [mounts[0]!]))] })]);
  await assert.rejects(
    runHostStages(failing, { contextDir: ctx, dockerfilePath: 'Dockerfile', workDir, cache: new CacheLayout(cacheDir), secrets }),
    (e: unknown) => {
      const text = `${(e as Error).message}\n${(e as { hint?: string }).hint}`;
      assert.ok(!text.includes(FILE_SECRET), text);
      assert.match(text, /leak: \*\*\*\*/);
      return true;
    },
  );
  delete process.env['OCIBAKE_TEST_TOKEN'];
});

test('a required secret that was not given is an error naming only the id', async () => {
  const p = plan([instance({ key: 'm', name: 'm', steps: [step(run('true', 2, [{ type: 'secret', id: 'npmrc', required: true }]))] })]);
  await assert.rejects(
    runHostStages(p, { contextDir: dir, dockerfilePath: 'Dockerfile', workDir: join(dir, 'w2'), cache: new CacheLayout(join(dir, 'c2')) }),
    (e: unknown) => e instanceof SecretError && /"npmrc"/.test(e.message) && /--secret id=npmrc/.test(e.hint ?? ''),
  );
});
