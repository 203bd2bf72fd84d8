import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { lintDockerfile, type CheckResult } from '../dockerfile/checks/index.js';
import { loadDockerignore } from '../dockerfile/dockerignore.js';
import type { DockerfileError } from '../dockerfile/errors.js';
import { OcibakeError } from '../errors.js';
import { hostPlatform } from '../oci/platform.js';
import type { BuildOptions } from './options.js';

/** `CheckReport` is what `ocibake build --check` found: the findings, and the syntax error that stopped it, if any. */
export interface CheckReport {
  dockerfile: string;
  results: CheckResult[];
  error?: DockerfileError | undefined;
}

/**
 * `checkBuild` is `docker build --check`: BuildKit's build checks on every stage (or the stages
 * `--target` needs), nothing built. Duplicate and reserved stage names are reported, not thrown;
 * a syntax error is returned with the findings before it.
 *
 *   const report = await checkBuild({ contextDir: '.' });
 */
export async function checkBuild(o: BuildOptions): Promise<CheckReport> {
  const contextDir = resolve(o.contextDir);
  const path = o.dockerfile ? (isAbsolute(o.dockerfile) ? o.dockerfile : resolve(o.dockerfile)) : join(contextDir, 'Dockerfile');
  const shown = o.dockerfile ?? join(o.contextDir, 'Dockerfile');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new OcibakeError('OCIBAKE_CONTEXT', `cannot read Dockerfile ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'put a Dockerfile in the context directory or name one with -f',
    });
  }
  const ignore = await loadDockerignore(contextDir, path);
  const platform = o.platforms?.[0] ?? hostPlatform();
  const opts: Parameters<typeof lintDockerfile>[2] = {
    buildArgs: o.buildArgs ?? {},
    ignore,
    allStages: o.target === undefined,
    platforms: { target: platform, build: hostPlatform() },
  };
  if (o.target !== undefined) opts.targetStage = o.target;
  const report = lintDockerfile(text, shown, opts);
  return { dockerfile: shown, results: report.results, error: report.error };
}
