import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { dockerConfigKeychain, entryCredential, DOCKER_HUB_AUTH_KEY } from '../../../../registry/auth/docker-config.js';
import { envKeychain, multiKeychain, staticKeychain, redact } from '../../../../registry/auth/credential.js';

const tmp = mkdtempSync(join(tmpdir(), 'ocibake-dockercfg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

function env(name: string, docker: unknown, podman?: unknown): NodeJS.ProcessEnv {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  if (docker !== undefined) writeFileSync(join(dir, 'config.json'), JSON.stringify(docker));
  if (podman !== undefined) writeFileSync(join(dir, 'auth.json'), JSON.stringify(podman));
  return { DOCKER_CONFIG: dir, REGISTRY_AUTH_FILE: join(dir, 'auth.json'), HOME: dir, PATH: process.env['PATH'] };
}

test('Docker Hub credentials stored under https://index.docker.io/v1/ serve docker.io', async () => {
  const k = dockerConfigKeychain(env('hub', { auths: { [DOCKER_HUB_AUTH_KEY]: { auth: b64('me:pw:with:colons') } } }));
  assert.deepEqual(await k.resolve('docker.io'), { username: 'me', password: 'pw:with:colons' });
  assert.equal(await k.resolve('ghcr.io'), undefined);
});

test('auths keys with a scheme, identity tokens, and podman auth.json after Docker', async () => {
  const k = dockerConfigKeychain(
    env(
      'keys',
      { auths: { 'https://ghcr.io': { auth: b64('a:b') }, 'quay.io': { identitytoken: 'tok' } } },
      { auths: { 'example.com:5000': { auth: b64('p:q') } } },
    ),
  );
  assert.deepEqual(await k.resolve('ghcr.io'), { username: 'a', password: 'b' });
  assert.deepEqual(await k.resolve('quay.io'), { identityToken: 'tok', username: undefined });
  assert.deepEqual(await k.resolve('example.com:5000'), { username: 'p', password: 'q' });
});

test('credHelpers runs docker-credential-<name> with the server on stdin; "<token>" means identity token', async () => {
  const bin = join(tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'docker-credential-unit'),
    `#!/bin/sh\nread s\nif [ "$s" = "none.example" ]; then echo "credentials not found in native keychain"; exit 1; fi\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-%s"}' "$s" "$s"\n`,
  );
  chmodSync(join(bin, 'docker-credential-unit'), 0o755);
  const e = {
    ...env('helpers', { credHelpers: { 'ghcr.io': 'unit', 'none.example': 'unit', 'gone.example': 'missing-helper' } }),
    PATH: `${bin}${delimiter}${process.env['PATH']}`,
  };
  const saved = process.env['PATH'];
  process.env['PATH'] = e['PATH'];
  try {
    const k = dockerConfigKeychain(e);
    assert.deepEqual(await k.resolve('ghcr.io'), { identityToken: 'refresh-ghcr.io' });
    assert.equal(await k.resolve('none.example'), undefined);
    await assert.rejects(
      k.resolve('gone.example'),
      (err: Error & { code?: string }) => err.code === 'OCIBAKE_CREDENTIALS' && /docker-credential-missing-helper/.test(err.message),
    );
  } finally {
    process.env['PATH'] = saved;
  }
});

test('a corrupt config.json is a typed error', async () => {
  const e = env('corrupt', undefined);
  writeFileSync(join(e['DOCKER_CONFIG']!, 'config.json'), '{nope');
  await assert.rejects(dockerConfigKeychain(e).resolve('x.io'), (err: Error & { code?: string }) => err.code === 'OCIBAKE_CREDENTIALS');
});

test('entryCredential, env and multi keychains, redact', async () => {
  assert.equal(entryCredential({ auth: b64('nocolon') }), undefined);
  assert.deepEqual(entryCredential({ username: 'u', password: 'p' }), { username: 'u', password: 'p' });
  const k = multiKeychain(
    staticKeychain({}),
    envKeychain({ OCIBAKE_REGISTRY_USERNAME: 'ci', OCIBAKE_REGISTRY_PASSWORD: 's3cret', OCIBAKE_REGISTRY: 'ghcr.io' }),
  );
  assert.deepEqual(await k.resolve('ghcr.io'), { username: 'ci', password: 's3cret' });
  assert.equal(await k.resolve('quay.io'), undefined);
  assert.ok(!redact({ username: 'ci', password: 's3cret' }).includes('s3cret'));
});
