import type { CheckReport, DryRunReport, RunBuildSummary } from '../../lib/index.js';
import { formatCheckResult, formatPlatform } from '../../lib/index.js';
import { formatBytes, formatDuration } from './format.js';

/** `printSummary` prints the end-of-build summary: per-platform digests, cache use, outputs, time. */
export function printSummary(s: RunBuildSummary, json: boolean): void {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ digest: s.digest, mediaType: s.mediaType, images: s.outcome.images.map((i) => ({ platform: formatPlatform(i.platform), digest: i.image.descriptor.digest, base: i.base })), stats: s.outcome.stats, outputs: s.outputs, caches: s.caches.map((c) => ({ target: c.target, digest: c.digest, entries: c.entries, published: c.published })) })}\n`,
    );
    return;
  }
  const out = process.stderr;
  const st = s.outcome.stats;
  out.write('\n');
  for (const i of s.outcome.images) {
    const layers = i.image.manifest.layers.reduce((n, l) => n + l.size, 0);
    out.write(`  ${formatPlatform(i.platform).padEnd(16)} ${i.image.descriptor.digest}  ${formatBytes(layers)}${i.base ? `  on ${i.base.name}` : ''}\n`);
  }
  out.write(
    `  ${st.executor === 'image' ? 'steps' : 'build stages'}: ${st.stepsRun} run, ${st.stepsCached} cached${st.stepsImported ? ` (${st.stepsImported} from --cache-from)` : ''} · layers: ${st.layersWritten} written, ${st.layersReused} reused${st.sandbox ? ` · RUN isolation: ${st.sandbox.mode}, ${st.sandbox.copyOnWrite}` : ''}\n`,
  );
  if (st.runsEmulated > 0) {
    out.write(
      `  emulated: ${st.runsEmulated} RUN step(s) for ${st.emulatedPlatforms.join(', ')} under qemu (${formatDuration(st.emulatedMs)}); to avoid emulation, move that work to a FROM --platform=$BUILDPLATFORM stage and cross-compile\n`,
    );
  }
  for (const c of s.caches) out.write(`  → cache ${c.target} (${c.entries} step results)\n`);
  for (const o of s.outputs) {
    const b = o.blobs
      ? ` (blobs: ${o.blobs.copied} uploaded, ${o.blobs.mounted} mounted, ${o.blobs.exists} already there; ${formatBytes(o.blobs.bytes)} sent)`
      : '';
    out.write(`  → ${o.target}${b}\n`);
  }
  out.write(`  ${s.mediaType.includes('index') || s.mediaType.includes('list') ? 'index' : 'image'} ${s.digest} in ${formatDuration(st.durationMs)}\n`);
}

/** `printCheckReport` prints what `--check` found, as buildx does, and returns whether anything was. */
export function printCheckReport(r: CheckReport): boolean {
  for (const c of r.results) process.stderr.write(`${formatCheckResult(c)}\n\n`);
  if (r.error) process.stderr.write(`error: ${r.error.message}\n`);
  const n = r.results.length;
  process.stderr.write(
    n === 0 && !r.error ? 'Check complete, no warnings found.\n' : `Check complete, ${n} warning${n === 1 ? ' has' : 's have'} been found!\n`,
  );
  return n > 0 || r.error !== undefined;
}

/** `printDryRun` prints the plan `--dry-run` computed, to stdout. */
export function printDryRun(r: DryRunReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const w = (s: string) => process.stdout.write(`${s}\n`);
  w(`Dockerfile: ${r.dockerfile}   build platform: ${r.buildPlatform}`);
  w(`targets: ${r.platforms.map((p) => `${p.platform} → ${p.final}`).join(', ')}`);
  for (const i of r.instances) {
    w(`\n${i.key}  [${i.kind}${i.shared ? ', shared by all platforms' : ''}]  FROM ${i.base}`);
    w(`  ${i.reason}`);
    for (const s of i.steps) w(`  - ${s}`);
  }
  if (r.bases.length) w('\nbases:');
  for (const b of r.bases) w(`  ${b.platform}: ${b.ref} → ${b.error ? `ERROR ${b.error}` : `${b.resolved}@${b.digest}`}`);
  for (const x of r.warnings) w(`warning: ${x}`);
}
