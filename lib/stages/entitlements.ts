// BuildKit's entitlements (`docker buildx build --allow …`): privileges a Dockerfile can ask for
// but only the person running the build can grant.

/** `Entitlement` is one `--allow` value. */
export type Entitlement = 'network.host' | 'security.insecure';

/** `ENTITLEMENTS` lists the values `--allow` takes. */
export const ENTITLEMENTS: readonly Entitlement[] = ['network.host', 'security.insecure'];

/** `isEntitlement` tells an `--allow` value ocibake knows. */
export function isEntitlement(s: string): s is Entitlement {
  return (ENTITLEMENTS as readonly string[]).includes(s);
}
