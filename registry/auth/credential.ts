/**
 * `Credential` is what a keychain returns for a registry: a username and password (Basic, and the
 * basis of a token request), or an identity token (OAuth2 refresh token, `docker login` with SSO).
 */
export interface Credential {
  username?: string | undefined;
  password?: string | undefined;
  identityToken?: string | undefined;
  /** A ready bearer token (`registrytoken` in config.json): sent as is. */
  registryToken?: string | undefined;
}

/** `Keychain` resolves a registry host to its credential, or undefined for anonymous access. */
export interface Keychain {
  resolve(registry: string): Promise<Credential | undefined>;
}

/** `multiKeychain` asks keychains in order; the first non-anonymous answer wins (ggcr authn). */
export function multiKeychain(...chains: Keychain[]): Keychain {
  return {
    async resolve(registry) {
      for (const k of chains) {
        const c = await k.resolve(registry);
        if (c && (c.password !== undefined || c.identityToken || c.registryToken)) return c;
      }
      return undefined;
    },
  };
}

/** `staticKeychain` serves credentials given on the command line or by a library caller. */
export function staticKeychain(byRegistry: Readonly<Record<string, Credential>>): Keychain {
  return { resolve: async (registry) => byRegistry[registry] };
}

/**
 * `envKeychain` serves CI credentials from the environment: `OCIBAKE_REGISTRY_USERNAME` and
 * `OCIBAKE_REGISTRY_PASSWORD`, for the registry named in `OCIBAKE_REGISTRY` (all registries if unset).
 */
export function envKeychain(env: NodeJS.ProcessEnv = process.env): Keychain {
  return {
    async resolve(registry) {
      const user = env['OCIBAKE_REGISTRY_USERNAME'];
      const pass = env['OCIBAKE_REGISTRY_PASSWORD'];
      const only = env['OCIBAKE_REGISTRY'];
      if (user === undefined || pass === undefined || (only && only !== registry)) return undefined;
      return { username: user, password: pass };
    },
  };
}

/** `redact` describes a credential for logs without any secret in it. */
export function redact(c: Credential | undefined): string {
  if (!c) return 'anonymous';
  if (c.identityToken) return `identity token for ${c.username ?? '<token>'}`;
  if (c.registryToken) return 'registry token';
  return `user ${c.username ?? ''}`;
}
