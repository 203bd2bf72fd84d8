// Starts Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 with a random free port and
// a config written here (never the packaged one): anonymous, htpasswd Basic over TLS, or token auth.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenServer, type TokenServer } from './token-server.js';

/** `RegistryVariant` picks how the registry authenticates. */
export type RegistryVariant = 'anonymous' | 'basic-tls' | 'token';

/** A running registry and what a test needs to reach it. */
export interface TestRegistry {
  variant: RegistryVariant;
  /** `127.0.0.1:PORT`, the registry part of references. */
  host: string;
  url: string;
  dir: string;
  /** PEM of the self-signed certificate (basic-tls); pass it as a CA. */
  caCert?: string;
  caFile?: string;
  user: string;
  password: string;
  token?: TokenServer;
  stop(): Promise<void>;
}

/** `freePort` asks the kernel for a free port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function need(tool: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is not installed; install it with apt-get (see .ci/run)`);
  }
}

/** `selfSignedCert` makes a throwaway RSA certificate for 127.0.0.1 (subjectAltName=IP:127.0.0.1). */
export function selfSignedCert(dir: string, name: string): { cert: string; key: string; certFile: string; keyFile: string } {
  need('openssl');
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

/** `startRegistry` starts one registry; call `stop()` in after(). */
export async function startRegistry(variant: RegistryVariant = 'anonymous', o: { jwtLifetimeSeconds?: number } = {}): Promise<TestRegistry> {
  need('docker-registry');
  const dir = mkdtempSync(join(tmpdir(), `ocibake-registry-${variant}-`));
  const port = await freePort();
  const user = 'ocibake';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  let caCert: string | undefined;
  let caFile: string | undefined;
  let token: TokenServer | undefined;
  if (variant === 'basic-tls') {
    need('htpasswd');
    const tls = selfSignedCert(dir, 'registry');
    caCert = tls.cert;
    caFile = tls.certFile;
    writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', user, password]));
    lines.push('  tls:', `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`);
    lines.push('auth:', '  htpasswd:', '    realm: ocibake-test', `    path: ${join(dir, 'htpasswd')}`);
  } else if (variant === 'token') {
    const signer = selfSignedCert(dir, 'token-signer');
    token = await startTokenServer({ certPem: signer.cert, keyPem: signer.key, users: { [user]: password }, anonymousPull: true, ...o });
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${token.realm}`,
      `    service: ${token.service}`,
      `    issuer: ${token.issuer}`,
      `    rootcertbundle: ${signer.certFile}`,
    );
  }
  const cfg = join(dir, 'config.yml');
  writeFileSync(cfg, `${lines.join('\n')}\n`);
  const log = openSync(join(dir, 'registry.log'), 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', cfg], { stdio: ['ignore', log, log] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const scheme = variant === 'basic-tls' ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  await waitReady(url, child, dir);
  const host = `127.0.0.1:${port}`;
  const reg: TestRegistry = {
    variant,
    host,
    url,
    dir,
    user,
    password,
    async stop() {
      // Stopping twice (a test that takes the registry away, then after()) must not wait for an
      // exit that came already: exitCode stays null for a process a signal ended, and a promise
      // nothing resolves lets node end the run before after() has removed the temp dirs.
      child.kill('SIGTERM');
      await exited;
      await token?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (caCert !== undefined) reg.caCert = caCert;
  if (caFile !== undefined) reg.caFile = caFile;
  if (token !== undefined) reg.token = token;
  return reg;
}

async function waitReady(url: string, child: ChildProcess, dir: string): Promise<void> {
  const { request } = await import('undici');
  const { Agent } = await import('undici');
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`docker-registry exited: ${readFileSync(join(dir, 'registry.log'), 'utf8').slice(-2000)}`);
      try {
        const res = await request(`${url}/v2/`, { dispatcher: agent });
        await res.body.dump();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error(`docker-registry did not answer on ${url}`);
  } finally {
    await agent.close();
  }
}
