import { formatPlatform } from '../oci/platform.js';
import { createRegistryClient } from '../registry-ops/client.js';
import type { RegistryClient } from '../../registry/index.js';
import { CacheStore, defaultCacheDir } from '../store/cache-store.js';
import { resolve } from 'node:path';
import { BaseResolver } from './bases.js';
import { loadPlan, type BuildOptions } from './build.js';

/** `DryRunReport` is what `ocibake build --dry-run` prints: the plan and the bases it would use. */
export interface DryRunReport {
  dockerfile: string;
  buildPlatform: string;
  platforms: { platform: string; final: string }[];
  instances: { key: string; kind: string; reason: string; platform: string; shared: boolean; base: string; deps: string[]; steps: string[] }[];
  bases: { platform: string; ref: string; resolved?: string; digest?: string; error?: string }[];
  warnings: string[];
}

/**
 * `dryRun` plans a build and resolves its base images (manifests only) without running or
 * writing anything, so a user can see what would run where, once or per platform, and why.
 */
export async function dryRun(o: BuildOptions): Promise<DryRunReport> {
  const { plan, dockerfile } = await loadPlan(o);
  let client: RegistryClient | undefined;
  const cacheDir = resolve(o.cacheDir ?? defaultCacheDir());
  const resolver = new BaseResolver({
    client: () => (client ??= createRegistryClient(o.registry ?? {})),
    cache: new CacheStore({ dir: cacheDir }),
    cacheDir,
    overrides: o.bases ?? [],
    offline: o.offline ?? false,
    signal: o.signal,
  });
  const bases: DryRunReport['bases'] = [];
  try {
    for (const inst of plan.instances) {
      if (inst.kind !== 'target' || inst.base.type !== 'image') continue;
      const entry: DryRunReport['bases'][number] = { platform: formatPlatform(inst.platform), ref: inst.base.ref };
      try {
        const r = await resolver.resolve(inst.base.ref, inst.platform);
        entry.resolved = r.name;
        entry.digest = r.image.descriptor.digest;
      } catch (err) {
        entry.error = (err as Error).message;
      }
      bases.push(entry);
    }
  } finally {
    await client?.close();
  }
  return {
    dockerfile,
    buildPlatform: formatPlatform(plan.buildPlatform),
    platforms: plan.targets.map((t) => ({ platform: formatPlatform(t.platform), final: t.final })),
    instances: plan.instances.map((i) => ({
      key: i.key,
      kind: i.kind,
      reason: i.reason,
      platform: formatPlatform(i.platform),
      shared: i.kind === 'host' && i.targetPlatform === undefined,
      base: i.base.type === 'image' ? i.base.ref : i.base.type === 'stage' ? `stage ${i.base.key}` : 'scratch',
      deps: i.deps,
      steps: i.steps.map((s) => s.instruction.text.replace(/\s+/g, ' ').trim()),
    })),
    bases,
    warnings: plan.warnings.map((w) => `${w.file ?? ''}${w.line ? `:${w.line}` : ''}: ${w.message}`),
  };
}
