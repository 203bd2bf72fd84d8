import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OcibakeError } from '../../lib/errors.js';
import { DOCKER_HUB } from '../reference.js';
import { runCredentialHelper } from './cred-helper.js';
import type { Credential, Keychain } from './credential.js';

/** `AuthEntry` is one `auths` value of Docker's config.json / podman's auth.json. */
export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** `DockerConfigFile` is the part of config.json ocibake reads and `login` writes. */
export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [other: string]: unknown;
}

/** Docker Hub credentials live under this legacy key (what `docker login` writes). */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** `dockerConfigPath` is `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['DOCKER_CONFIG'] ?? join(env['HOME'] ?? homedir(), '.docker'), 'config.json');
}

/**
 * `podmanAuthPaths` lists podman/skopeo's auth files in lookup order: REGISTRY_AUTH_FILE, then
 * `$XDG_RUNTIME_DIR/containers/auth.json`, then `~/.config/containers/auth.json` (containers-auth.json(5)).
 */
export function podmanAuthPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (env['REGISTRY_AUTH_FILE']) out.push(env['REGISTRY_AUTH_FILE']);
  if (env['XDG_RUNTIME_DIR']) out.push(join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json'));
  out.push(join(env['XDG_CONFIG_HOME'] ?? join(env['HOME'] ?? homedir(), '.config'), 'containers', 'auth.json'));
  return out;
}

/** `readConfigFile` loads a config file; a missing file is empty, a corrupt one an error. */
export async function readConfigFile(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OcibakeError('OCIBAKE_CREDENTIALS', `reading ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch {
    throw new OcibakeError('OCIBAKE_CREDENTIALS', `${path} is not valid JSON`, { hint: 'fix or remove the file' });
  }
}

/** `authKeys` are the `auths` keys a registry may be stored under (with or without a scheme, Hub's legacy URL). */
export function authKeys(registry: string): string[] {
  if (registry === DOCKER_HUB) return [DOCKER_HUB_AUTH_KEY, 'docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/** `entryCredential` decodes an `auths` entry (base64 `user:password` in `auth`). */
export function entryCredential(e: AuthEntry): Credential | undefined {
  if (e.identitytoken) return { identityToken: e.identitytoken, username: e.username };
  if (e.registrytoken) return { registryToken: e.registrytoken };
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  if (e.username !== undefined && e.password !== undefined) return { username: e.username, password: e.password };
  return undefined;
}

async function fromFile(cfg: DockerConfigFile, registry: string): Promise<Credential | undefined> {
  const helper = cfg.credHelpers?.[registry] ?? (registry === DOCKER_HUB ? cfg.credHelpers?.['index.docker.io'] : undefined);
  const serverUrl = registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry;
  if (helper) return runCredentialHelper(helper, serverUrl);
  for (const key of authKeys(registry)) {
    const e = cfg.auths?.[key];
    if (e) {
      const c = entryCredential(e);
      if (c) return c;
    }
  }
  // Docker consults credsStore when no inline auth exists; `auths` then holds only empty markers.
  if (cfg.credsStore) return runCredentialHelper(cfg.credsStore, serverUrl);
  return undefined;
}

/**
 * `dockerConfigKeychain` reads Docker's config.json (auths, credHelpers, credsStore) and then
 * podman's auth.json files, the first that has an answer winning. Files are re-read per
 * lookup; the authenticator caches the result per registry.
 */
export function dockerConfigKeychain(env: NodeJS.ProcessEnv = process.env): Keychain {
  return {
    async resolve(registry) {
      for (const path of [dockerConfigPath(env), ...podmanAuthPaths(env)]) {
        const cfg = await readConfigFile(path);
        if (!cfg) continue;
        const c = await fromFile(cfg, registry);
        if (c) return c;
      }
      return undefined;
    },
  };
}
