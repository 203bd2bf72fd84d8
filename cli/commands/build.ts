import { checkBuild, dryRun, parsePlatformList, runBuild, type RunBuildOptions } from '../../lib/index.js';
import {
  parseAllow,
  parseBaseOverride,
  parseBuildArgs,
  parseCacheSpec,
  parseFormat,
  parseKeyValue,
  parseOutputSpec,
  parseSecretSpec,
} from '../options/build-flags.js';
import { withRegistryFlags } from '../registry-flags.js';
import type { Argv } from 'yargs';
import { debugEnabled, defineCommand, type FlagsOf } from '../command.js';
import { repeatable } from '../repeatable.js';
import { interruptSignal } from '../interrupt.js';
import { makeRenderer, progressOption } from '../render/select.js';
import { printCheckReport, printDryRun, printSummary } from '../render/summary.js';

/** `buildFlags` declares the flags of `ocibake build`. */
const buildFlags = (y: Argv) =>
  withRegistryFlags(
    y
      .positional('context', { type: 'string', default: '.', describe: 'build context directory' })
      .option('file', { alias: 'f', type: 'string', describe: 'Dockerfile path (default: CONTEXT/Dockerfile)' })
      .option('platform', { type: 'string', describe: 'target platforms, comma separated (default: this machine), e.g. linux/amd64,linux/arm64,linux/arm/v7' })
      .option('tag', { alias: 't', ...repeatable, describe: 'image reference; repeat for several tags or registries' })
      .option('push', { type: 'boolean', default: false, describe: 'push to the -t references (same as --output type=registry)' })
      .option('push-by-digest', {
        type: 'boolean',
        default: false,
        describe: 'push to the -t repositories without tags and print the digest (combine later with `ocibake index create`)',
      })
      .option('output', {
        alias: 'o',
        ...repeatable,
        describe:
          'type=registry | type=oci,dest=DIR | type=oci-archive,dest=FILE.tar | type=docker,dest=FILE.tar[,platform=P] (repeatable; default: OCI layout in ./ocibake-out)',
      })
      .option('build-arg', { ...repeatable, describe: 'NAME=VALUE, or NAME to take it from the environment (repeatable)' })
      .option('target', { type: 'string', describe: 'build this stage instead of the last one' })
      .option('secret', { ...repeatable, describe: 'id=NAME,src=FILE or id=NAME,env=VAR, for RUN --mount=type=secret (never stored)' })
      .option('label', { ...repeatable, describe: 'KEY=VALUE image label (repeatable)' })
      .option('annotation', { ...repeatable, describe: 'KEY=VALUE manifest annotation (repeatable)' })
      .option('metadata-file', { type: 'string', describe: 'write buildx-style build metadata (digests, descriptor) as JSON to this file' })
      .option('progress', progressOption)
      .option('cache-dir', { type: 'string', describe: 'cache directory (default: $OCIBAKE_CACHE or ~/.cache/ocibake)' })
      .option('no-cache', { type: 'boolean', default: false, describe: 'run every stage and write every layer again' })
      .option('offline', { type: 'boolean', default: false, describe: 'never contact a registry for bases: use the cache and oci-layout:// bases' })
      .option('format', { type: 'string', default: 'oci', describe: 'media types: oci (default) or docker' })
      .option('base', { ...repeatable, describe: 'NAME[@PLATFORM]=REF replaces a FROM image, e.g. alpine=oci-layout://./alpine:3.20.3' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the image (index) digest' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan (stages, per-platform instances, resolved bases) and stop' })
      .option('index', { type: 'boolean', default: false, describe: 'write an image index even for a single platform' })
      .option('executor', {
        choices: ['auto', 'image', 'host'] as const,
        default: 'auto' as const,
        describe:
          "how RUN runs: image = every stage in its own image (namespaces + copy-on-write; auto picks it wherever it works), host = on this machine's toolchains",
      })
      .option('no-emulation', {
        type: 'boolean',
        default: false,
        describe: 'fail instead of emulating a RUN for a foreign CPU (cross-compile in a FROM --platform=$BUILDPLATFORM stage instead)',
      })
      .option('allow', {
        ...repeatable,
        describe: 'grant an entitlement, as buildx does: security.insecure (RUN --security=insecure keeps every capability), network.host',
      })
      .option('cross-env', {
        type: 'boolean',
        default: false,
        describe: 'set GOOS/GOARCH/GOARM and CC="zig cc -target …" (zig mounted in) for RUN in stages that declare TARGETARCH etc.',
      })
      .option('cache-to', {
        ...repeatable,
        describe: 'export the step cache: type=registry,ref=REG/REPO:TAG[,mode=min|max][,ignore-error=true] or type=local,dest=DIR (repeatable)',
      })
      .option('cache-from', {
        ...repeatable,
        describe: 'use a step cache: type=registry,ref=REG/REPO:TAG, a bare REF, or type=local,src=DIR (repeatable, in order)',
      })
      .option('check', {
        type: 'boolean',
        default: false,
        describe: "run BuildKit's build checks on the Dockerfile and build nothing (exits 1 when something is found)",
      })
      .example('$0 build . --platform linux/amd64,linux/arm64 -t registry.example.com/app:1.0 --push', 'build two platforms and push an index')
      .example('$0 build . -o type=oci,dest=out -t app:dev', 'write an OCI layout (air-gapped)')
      .example('$0 build . -o type=docker,dest=app.tar,platform=linux/amd64 -t app:dev', 'write a `docker load` tarball')
      .example('$0 build examples/go --base alpine=oci-layout://.ocibake/alpine:3.20.3 --platform linux/amd64,linux/arm64', 'use a local base image')
      .example('$0 build . --dry-run --platform linux/amd64,linux/arm64', 'show what would run, where and why')
      .example(
        '$0 build . -t reg/app:1 --push --cache-from reg/app:cache --cache-to type=registry,ref=reg/app:cache,mode=max',
        'share the step cache between CI runners through the registry',
      ),
  );

type BuildArgs = FlagsOf<typeof buildFlags>;

/** `toOptions` maps flags onto `RunBuildOptions`, validating every value before anything runs. */
function toOptions(a: BuildArgs, progress: RunBuildOptions['progress']): RunBuildOptions {
  const labels = Object.fromEntries(a.label.map((l) => parseKeyValue('--label', l)));
  const annotations = Object.fromEntries(a.annotation.map((l) => parseKeyValue('--annotation', l)));
  const o: RunBuildOptions = {
    contextDir: a.context,
    dockerfile: a.file,
    buildArgs: parseBuildArgs(a['build-arg']),
    target: a.target,
    secrets: a.secret.map(parseSecretSpec),
    labels,
    annotations,
    cacheDir: a['cache-dir'],
    noCache: a['no-cache'],
    cacheFrom: a['cache-from'].map((c) => parseCacheSpec('--cache-from', c)),
    cacheTo: a['cache-to'].map((c) => parseCacheSpec('--cache-to', c)),
    offline: a.offline,
    format: parseFormat(a.format),
    bases: a.base.map(parseBaseOverride),
    index: a.index,
    executor: a.executor,
    noEmulation: a['no-emulation'],
    allow: parseAllow(a.allow),
    crossEnv: a['cross-env'],
    tags: a.tag,
    push: a.push,
    pushByDigest: a['push-by-digest'],
    outputs: a.output.map(parseOutputSpec),
    metadataFile: a['metadata-file'],
    progress,
    signal: interruptSignal(),
    registry: {
      insecureRegistries: a['insecure-registry'],
      caCertFiles: a['ca-cert'],
      concurrency: a.concurrency,
      timeoutMs: a.timeout === undefined ? undefined : a.timeout * 1000,
    },
  };
  if (a.platform) o.platforms = parsePlatformList(a.platform);
  return o;
}

/** `buildCommand` is `ocibake build [CONTEXT]`: Dockerfile → multi-platform image → registry / layout / tarball. */
export const buildCommand = defineCommand({
  command: 'build [context]',
  describe: 'build a Dockerfile for one or more platforms, without a daemon or emulation',
  builder: buildFlags,
  handler: async (a) => {
    const r = makeRenderer(a.quiet ? 'quiet' : a.progress, { debug: debugEnabled() });
    try {
      const o = toOptions(a, r.sink);
      if (a.check) {
        r.stop();
        const report = await checkBuild(o);
        process.exitCode = printCheckReport(report) ? 1 : 0;
        return;
      }
      if (a['dry-run']) {
        r.stop();
        printDryRun(await dryRun(o), a.progress === 'json');
        return;
      }
      const summary = await runBuild(o);
      r.stop();
      if (a.quiet) process.stdout.write(`${summary.digest}\n`);
      else printSummary(summary, a.progress === 'json');
    } finally {
      r.stop();
    }
  },
});
