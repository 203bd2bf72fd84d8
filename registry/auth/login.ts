import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/io/atomic-write.js';
import { dirname } from 'node:path';
import type { RegistryClient } from '../client.js';
import { DOCKER_HUB } from '../reference.js';
import { staticKeychain } from './credential.js';
import { DOCKER_HUB_AUTH_KEY, dockerConfigPath, readConfigFile } from './docker-config.js';

/** `LoginOptions` say where to log in and with what; the password is never logged. */
export interface LoginOptions {
  registry: string;
  username: string;
  password: string;
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * `login` checks the credentials against the registry (GET /v2/ with a token for the
 * "registry:catalog:*"-less default scope, as `docker login` does) and stores them in Docker's
 * config.json format (`auths[registry].auth = base64(user:password)`, Docker Hub under its
 * legacy key), written to a temp file and renamed so a crash never leaves a half-written file.
 */
export async function login(client: RegistryClient, o: LoginOptions): Promise<string> {
  await verify(client, o);
  const path = dockerConfigPath(o.env);
  const cfg = (await readConfigFile(path)) ?? {};
  const key = o.registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : o.registry;
  cfg.auths = { ...cfg.auths, [key]: { auth: Buffer.from(`${o.username}:${o.password}`).toString('base64') } };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(cfg, null, '\t')}\n`, { mode: 0o600 });
  return path;
}

async function verify(client: RegistryClient, o: LoginOptions): Promise<void> {
  // A transport of its own, so the candidate credential is tried instead of any stored one.
  const probe = client.transport.fork(staticKeychain({ [o.registry]: { username: o.username, password: o.password } }));
  const res = await probe.send({ registry: o.registry, method: 'GET', path: '/v2/', scopes: [], expect: [200], what: `logging in to ${o.registry}` });
  await res.body.dump();
}
