import { spawn } from 'node:child_process';
import { OcibakeError } from '../../lib/errors.js';
import type { Credential } from './credential.js';

/**
 * `runCredentialHelper` asks `docker-credential-<name> get` for a server's credential, the
 * protocol of docker/docker-credential-helpers: the server URL on stdin, JSON
 * `{ServerURL, Username, Secret}` on stdout. "credentials not found" means anonymous.
 * The helper's stderr/stdout are never echoed: they may contain the secret.
 */
export async function runCredentialHelper(name: string, serverUrl: string, timeoutMs = 30_000): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`;
  const { code, stdout, spawnError } = await new Promise<{ code: number | null; stdout: string; spawnError?: Error }>((resolve) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.resume();
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: '', spawnError: err });
    });
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: Buffer.concat(chunks).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });
  if (spawnError) {
    throw new OcibakeError('OCIBAKE_CREDENTIALS', `running credential helper ${program}: ${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message}`, {
      hint: `install ${program} on PATH, or remove it from credHelpers/credsStore in your Docker config.json`,
    });
  }
  if (code !== 0) {
    if (/credentials not found/i.test(stdout)) return undefined;
    throw new OcibakeError('OCIBAKE_CREDENTIALS', `credential helper ${program} failed for ${serverUrl} (exit ${String(code)})`, {
      hint: `run \`echo ${serverUrl} | ${program} get\` to see why`,
    });
  }
  let doc: { Username?: unknown; Secret?: unknown };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    throw new OcibakeError('OCIBAKE_CREDENTIALS', `credential helper ${program} printed something that is not JSON`);
  }
  const username = typeof doc.Username === 'string' ? doc.Username : undefined;
  const secret = typeof doc.Secret === 'string' ? doc.Secret : undefined;
  if (secret === undefined || secret === '') return undefined;
  // docker-credential-helpers marks identity tokens with the pseudo user "<token>".
  if (username === '<token>') return { identityToken: secret };
  return { username, password: secret };
}
