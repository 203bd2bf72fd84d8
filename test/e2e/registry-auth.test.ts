// Every way credentials reach the client, against the real registry with Basic-over-TLS and token
// auth: credential helpers on PATH, credsStore, login, podman auth.json, CA trust, HTTPS_PROXY.
// A wrong password must name the registry and "unauthorized" and never print the secret.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { seedAlpine } from '../harness/alpine-index.js';
import { skopeoArgs } from '../harness/skopeo.js';
import { startConnectProxy, type ConnectProxy } from '../harness/connect-proxy.js';
import { ocibake } from '../harness/cli.js';

describe('registry auth (Basic over TLS, token)', () => {
  let tls: TestRegistry;
  let tok: TestRegistry;
  let tmp: string;
  let digest: string;
  let proxy: ConnectProxy;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ocibake-auth-'));
    [tls, tok, proxy] = await Promise.all([startRegistry('basic-tls'), startRegistry('token'), startConnectProxy()]);
    digest = await seedAlpine(tls.host, 'library/alpine', '3.20', skopeoArgs(tls, 'dest'));
    await seedAlpine(tok.host, 'library/alpine', '3.20', skopeoArgs(tok, 'dest'));
  });
  after(async () => {
    await Promise.all([tls?.stop(), tok?.stop(), proxy?.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A config dir with config.json, and an env that points only at it. */
  const configEnv = (name: string, config: unknown, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    return { DOCKER_CONFIG: dir, REGISTRY_AUTH_FILE: join(dir, 'no-auth.json'), XDG_RUNTIME_DIR: dir, HOME: dir, ...extra };
  };

  /** Writes docker-credential-<name> into a bin dir; it logs every call and answers with `password`. */
  const helper = (name: string, password: string) => {
    const bin = join(tmp, `bin-${name}`);
    mkdirSync(bin, { recursive: true });
    const log = join(bin, 'calls.log');
    const script = `#!/bin/sh\nread server\necho "$1 $server" >> ${log}\nprintf '{"ServerURL":"%s","Username":"ocibake","Secret":"%s"}' "$server" "${password}"\n`;
    writeFileSync(join(bin, `docker-credential-${name}`), script);
    chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    return { PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`, log };
  };

  test('a docker-credential helper named in credHelpers is run and its answer used (Basic over TLS)', async () => {
    const h = helper('ocitest', tls.password);
    const env = configEnv('helpers', { credHelpers: { [tls.host]: 'ocitest' } }, { PATH: h.PATH });
    const r = await ocibake(['inspect', `${tls.host}/library/alpine:3.20`, '--ca-cert', tls.caFile!], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).digest, digest);
    assert.equal(readFileSync(h.log, 'utf8').trim(), `get ${tls.host}`);
  });

  test('credsStore is used when auths has no inline credential (token auth)', async () => {
    const h = helper('storetest', tok.password);
    const env = configEnv('store', { credsStore: 'storetest', auths: { [tok.host]: {} } }, { PATH: h.PATH });
    const r = await ocibake(['push', '--help'], { env });
    assert.equal(r.code, 0);
    const out = await ocibake(['inspect', `${tok.host}/library/alpine:3.20`, '--platform', 'linux/arm64'], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.ok(readFileSync(h.log, 'utf8').includes(`get ${tok.host}`));
    assert.ok(tok.token!.requests.some((q) => q.user === 'ocibake' && q.granted));
  });

  for (const which of ['basic-tls', 'token'] as const) {
    test(`a wrong password names the registry and "unauthorized" and prints no secret (${which})`, async () => {
      const reg = which === 'basic-tls' ? tls : tok;
      const secret = 'Sup3r-Secret-Wr0ng-Passw0rd';
      const env = configEnv(`wrong-${which}`, {});
      const login = await ocibake(['login', reg.host, '-u', reg.user, '--password-stdin', ...(reg.caFile ? ['--ca-cert', reg.caFile] : [])], {
        env,
        stdin: `${secret}\n`,
      });
      assert.equal(login.code, 1, login.stdout + login.stderr);
      assert.match(login.stderr, new RegExp(reg.host.replace(/\./g, '\\.')));
      assert.match(login.stderr, /unauthorized/);
      for (const text of [login.stdout, login.stderr]) {
        assert.ok(!text.includes(secret), 'the password leaked');
        assert.ok(!text.includes(Buffer.from(`${reg.user}:${secret}`).toString('base64')), 'the encoded password leaked');
      }
      const cfgEnv = configEnv(`wrong-cfg-${which}`, { auths: { [reg.host]: { auth: Buffer.from(`${reg.user}:${secret}`).toString('base64') } } });
      const push = await ocibake(['inspect', `${reg.host}/library/alpine:3.20`, ...(reg.caFile ? ['--ca-cert', reg.caFile] : [])], { env: cfgEnv });
      assert.equal(push.code, 1);
      assert.match(push.stderr, /unauthorized/);
      assert.ok(!push.stderr.includes(secret) && !push.stdout.includes(secret));
    });
  }

  test('login stores Docker config.json credentials that later commands use', async () => {
    const env = configEnv('login', { credsStore: undefined });
    const r = await ocibake(['login', tok.host, '-u', tok.user, '--password-stdin'], { env, stdin: `${tok.password}\n` });
    assert.equal(r.code, 0, r.stderr);
    const cfg = JSON.parse(readFileSync(join(env['DOCKER_CONFIG']!, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(cfg.auths[tok.host]!.auth, 'base64').toString(), `${tok.user}:${tok.password}`);
    const push = await ocibake(['push', '--help'], { env });
    assert.match(push.stdout, /LAYOUT_DIR/);
    const pulled = join(tmp, 'login-pull');
    const p = await ocibake(['pull', `${tok.host}/library/alpine:3.20`, '-o', `type=oci,dest=${pulled}`, '--progress', 'quiet'], { env });
    assert.equal(p.code, 0, p.stderr);
    const again = await ocibake(['push', `${pulled}:3.20`, `${tok.host}/private/alpine:1`, '--progress', 'quiet'], { env });
    assert.equal(again.code, 0, again.stderr);
  });

  test('podman auth.json via REGISTRY_AUTH_FILE: pull and push the skopeo-seeded alpine over Basic+TLS', async () => {
    const authFile = join(tmp, 'podman-auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [tls.host]: { auth: Buffer.from(`${tls.user}:${tls.password}`).toString('base64') } } }));
    const env = { ...configEnv('podman', {}), REGISTRY_AUTH_FILE: authFile };
    const dest = join(tmp, 'podman-pull');
    const r = await ocibake(['pull', `${tls.host}/library/alpine:3.20`, '--ca-cert', tls.caFile!, '-o', `type=oci,dest=${dest}`, '--progress', 'quiet'], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), digest);
    const back = await ocibake(['push', `${dest}:3.20`, `${tls.host}/copied/alpine:1`, '--ca-cert', tls.caFile!, '--progress', 'quiet'], { env });
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout.trim(), `${tls.host}/copied/alpine:1@${digest}`);
  });

  test('TLS trust: NODE_EXTRA_CA_CERTS works, an untrusted certificate is a clear error, --insecure-registry skips the check', async () => {
    const creds = { auths: { [tls.host]: { auth: Buffer.from(`${tls.user}:${tls.password}`).toString('base64') } } };
    const extra = await ocibake(['inspect', `${tls.host}/library/alpine:3.20`], { env: configEnv('extra-ca', creds, { NODE_EXTRA_CA_CERTS: tls.caFile! }) });
    assert.equal(extra.code, 0, extra.stderr);
    const untrusted = await ocibake(['inspect', `${tls.host}/library/alpine:3.20`], { env: configEnv('no-ca', creds) });
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /--ca-cert/);
    const insecure = await ocibake(['inspect', `${tls.host}/library/alpine:3.20`, '--insecure-registry', tls.host], { env: configEnv('insecure', creds) });
    assert.equal(insecure.code, 0, insecure.stderr);
  });

  test('HTTPS_PROXY tunnels registry traffic; NO_PROXY bypasses it', async () => {
    const creds = { auths: { [tls.host]: { auth: Buffer.from(`${tls.user}:${tls.password}`).toString('base64') } } };
    const via = await ocibake(['inspect', `${tls.host}/library/alpine:3.20`, '--ca-cert', tls.caFile!], {
      env: configEnv('proxy', creds, { HTTPS_PROXY: proxy.url, NO_PROXY: '' }),
    });
    assert.equal(via.code, 0, via.stderr);
    assert.ok(proxy.tunnels.includes(tls.host), `tunnels: ${proxy.tunnels.join(', ')}`);
    const before = proxy.tunnels.length;
    const direct = await ocibake(['inspect', `${tls.host}/library/alpine:3.20`, '--ca-cert', tls.caFile!], {
      env: configEnv('noproxy', creds, { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }),
    });
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(proxy.tunnels.length, before);
  });
});
