// Starts a local registry for manual runs, the same way the tests do, and keeps it up until Ctrl-C.
// Usage: npm run build && node dist/scripts/registry/start.js [anonymous|basic-tls|token] [--alpine]
// --alpine seeds the multi-arch Alpine 3.20.3 fixture as library/alpine:3.20 (skopeo copy --all).
import { startRegistry, type RegistryVariant } from '../../test/harness/registry.js';
import { seedAlpine } from '../../test/harness/alpine-index.js';
import { skopeoArgs } from '../../test/harness/skopeo.js';

async function main(): Promise<void> {
  const variant = (process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'anonymous') as RegistryVariant;
  const reg = await startRegistry(variant);
  console.log(`registry (${variant}) on ${reg.url}  data: ${reg.dir}`);
  if (variant !== 'anonymous') console.log(`user ${reg.user}  password ${reg.password}`);
  if (reg.caFile) console.log(`CA certificate: ${reg.caFile}  (ocibake --ca-cert ${reg.caFile})`);
  if (process.argv.includes('--alpine')) {
    const digest = await seedAlpine(reg.host, 'library/alpine', '3.20', skopeoArgs(reg, 'dest'));
    console.log(`seeded ${reg.host}/library/alpine:3.20@${digest}`);
  }
  const stop = () => {
    void reg.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
