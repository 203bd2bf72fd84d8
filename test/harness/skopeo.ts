// Thin wrappers over skopeo, the independent tool our registry round trips are checked with.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestRegistry } from './registry.js';

const run = promisify(execFile);

/** One CA dir per TLS registry, removed when the test process exits. */
const certDirs = new Map<string, string>();
process.once('exit', () => {
  for (const d of certDirs.values()) rmSync(d, { recursive: true, force: true });
});

function certDirFor(reg: TestRegistry): string {
  let dir = certDirs.get(reg.host);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'ocibake-skopeo-certs-'));
    writeFileSync(join(dir, 'ca.crt'), reg.caCert ?? '');
    certDirs.set(reg.host, dir);
  }
  return dir;
}

/** `skopeoArgs` are the transport flags for a test registry (TLS off or CA dir, credentials). */
export function skopeoArgs(reg: TestRegistry, side: 'src' | 'dest' | '' = ''): string[] {
  const p = side ? `--${side}-` : '--';
  const args: string[] = [];
  if (reg.variant === 'basic-tls') {
    args.push(`${p}cert-dir=${certDirFor(reg)}`);
  } else {
    args.push(`${p}tls-verify=false`);
  }
  if (reg.variant !== 'anonymous') args.push(`${p}creds=${reg.user}:${reg.password}`);
  return args;
}

/** `skopeo` runs skopeo with a clean auth file so nothing from the machine leaks in. */
export async function skopeo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const authDir = mkdtempSync(join(tmpdir(), 'ocibake-skopeo-auth-'));
  try {
    const { stdout } = await run('skopeo', args, {
      env: { ...process.env, REGISTRY_AUTH_FILE: join(authDir, 'auth.json'), ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`skopeo ${args[0]} failed: ${e.stderr ?? e.message}`);
  } finally {
    rmSync(authDir, { recursive: true, force: true });
  }
}

/** `inspectRaw` returns the exact manifest bytes skopeo reads for a reference. */
export async function inspectRaw(reg: TestRegistry, repoTag: string): Promise<Buffer> {
  const out = await skopeo(['inspect', '--raw', ...skopeoArgs(reg), `docker://${reg.host}/${repoTag}`]);
  return Buffer.from(out, 'utf8');
}
