import { formatPlatform } from '../oci/platform.js';
import { CacheLayout } from '../cache/layout.js';
import { createRegistryClient } from '../connect/registry-client.js';
import type { RegistryClient } from '../../registry/index.js';
import { CacheStore } from '../store/cache-store.js';
import { BaseResolver } from '../bases/resolver.js';
import type { BuildOptions } from './options.js';
import { loadPlan } from './load-plan.js';

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
  let client: RegistryClient | undefined;
  const cacheDirs = new CacheLayout(o.cacheDir);
  const resolver = new BaseResolver({
    client: o.registryClient ?? (() => (client ??= createRegistryClient(o.registry ?? {}))),
    cache: new CacheStore({ dir: cacheDirs.root, tmpDir: cacheDirs.blobTmp }),
    recordsDir: cacheDirs.baseRecords,
    overrides: o.bases ?? [],
    offline: o.offline ?? false,
    signal: o.signal,
  });
  const bases: DryRunReport['bases'] = [];
  let loaded;
  try {
    loaded = await loadPlan(o, {
      resolver,
      allBases: true,
      onBaseError: (ref, platform, err) => {
        bases.push({ platform: formatPlatform(platform), ref, error: (err as Error).message });
      },
    });
    for (const inst of loaded.plan.instances) {
      if (inst.kind !== 'target' || inst.base.type !== 'image') continue;
      const ref = inst.base.ref;
      const r = await resolver.resolve(ref, inst.platform).catch(() => undefined);
      if (r) bases.push({ platform: formatPlatform(inst.platform), ref, resolved: r.name, digest: r.image.descriptor.digest });
    }
  } finally {
    await client?.close();
  }
  const { plan, dockerfile } = loaded;
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
