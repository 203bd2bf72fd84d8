// The golden form of a corpus Dockerfile: a compact, reviewable JSON of the parse and of the plan
// for the case's options (default: linux/amd64 + linux/arm64 built on linux/amd64). Shared by the
// generator (dockerfile-goldens.ts) and the corpus test, so both see the same shape.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../../lib/dockerfile/parser.js';
import { planBuild, type PlanOptions } from '../../lib/plan/plan.js';
import { checkNoRunInTargetStages } from '../../lib/plan/check.js';
import { formatPlatform, parsePlatform } from '../../lib/oci/platform.js';
import { isOcibakeError } from '../../lib/errors.js';
import type { Instruction, FromInstruction } from '../../lib/dockerfile/instructions.js';
import type { BaseSource } from '../../lib/plan/types.js';
import type { BaseImageConfig } from '../../lib/plan/draft.js';

/** `CaseOptions` is a corpus case's options.json. */
export interface CaseOptions {
  platforms?: string[];
  buildPlatform?: string;
  buildArgs?: Record<string, string | null>;
  env?: Record<string, string>;
  target?: string;
  /** Base image configs by reference, as the build passes them after resolving the bases. */
  baseImages?: Record<string, BaseImageConfig>;
}

/** `readCaseOptions` reads `<dir>/options.json` when present. */
export function readCaseOptions(dir: string): CaseOptions {
  const p = join(dir, 'options.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as CaseOptions) : {};
}

/** `planOptions` turns case options into planner options (defaults: amd64+arm64 on amd64, empty env). */
export function planOptions(o: CaseOptions): PlanOptions {
  const opts: PlanOptions = {
    platforms: (o.platforms ?? ['linux/amd64', 'linux/arm64']).map(parsePlatform),
    buildPlatform: parsePlatform(o.buildPlatform ?? 'linux/amd64'),
    env: o.env ?? {},
  };
  if (o.buildArgs) opts.buildArgs = Object.fromEntries(Object.entries(o.buildArgs).map(([k, v]) => [k, v ?? undefined]));
  if (o.target !== undefined) opts.target = o.target;
  const bases = o.baseImages;
  if (bases) opts.baseImageConfig = (ref) => bases[ref];
  return opts;
}

const DEFAULTS: Record<string, unknown> = { link: false, parents: false, keepGitDir: false, readonly: false, readwrite: false, required: false };

function compact(ins: Instruction | FromInstruction): Record<string, unknown> {
  const { kind, range, text, ...rest } = ins as Instruction & Record<string, unknown>;
  void text;
  const out: Record<string, unknown> = { line: range.endLine === range.startLine ? range.startLine : `${range.startLine}-${range.endLine}`, kind };
  for (const [k, v] of Object.entries(rest)) {
    if (Array.isArray(v) && v.length === 0) continue;
    if (k in DEFAULTS && DEFAULTS[k] === v) continue;
    if (k === 'pairs') out[k] = (v as { key: string; value: string }[]).map((p) => `${p.key}=${p.value}`);
    else if (k === 'args') out[k] = (v as { name: string; value?: string }[]).map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`));
    else if (k === 'mounts')
      out[k] = (v as Record<string, unknown>[]).map((m) =>
        Object.entries(m)
          .filter(([mk, mv]) => !(mk in DEFAULTS && DEFAULTS[mk] === mv))
          .map(([mk, mv]) => `${mk}=${String(mv)}`)
          .join(','),
      );
    else out[k] = v;
  }
  return out;
}

/**
 * `stringifyGolden` pretty-prints JSON but keeps small objects and arrays on one line, so a golden
 * reads like the Dockerfile it describes and a review diff stays short.
 */
export function stringifyGolden(value: unknown, indent = ''): string {
  const flat = inline(value);
  if (typeof value !== 'object' || value === null || flat.length + indent.length <= 110) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + stringifyGolden(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringifyGolden(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value) ?? 'null';
}

function base(b: BaseSource): unknown {
  return b.type === 'image' ? `image ${b.ref} (${formatPlatform(b.platform)})` : b.type === 'stage' ? `stage ${b.key}` : 'scratch';
}

/** `dockerfileGolden` computes the golden object for one Dockerfile text and its options. */
export function dockerfileGolden(text: string, file: string, o: CaseOptions): unknown {
  const df = parseDockerfile(text, file);
  const plan = planBuild(df, planOptions(o));
  let runCheck: unknown = 'ok';
  try {
    checkNoRunInTargetStages(plan);
  } catch (err) {
    if (!isOcibakeError(err)) throw err;
    runCheck = { code: err.code, line: (err as unknown as { line: number }).line };
  }
  return {
    parse: {
      escape: df.escapeChar,
      ...(df.syntax !== undefined ? { syntax: df.syntax } : {}),
      globalArgs: df.globalArgs.map(compact),
      stages: df.stages.map((s) => ({
        index: s.index,
        ...(s.name !== undefined ? { name: s.name } : {}),
        from: compact(s.from),
        instructions: s.instructions.map(compact),
      })),
      warnings: df.warnings.map((w) => `${w.line}: ${w.message}`),
    },
    plan: {
      targets: plan.targets.map((t) => `${formatPlatform(t.platform)} → ${t.final}`),
      instances: plan.instances.map((i) => ({
        key: i.key,
        kind: i.kind,
        reason: i.reason,
        platform: formatPlatform(i.platform),
        ...(i.targetPlatform ? { targetPlatform: formatPlatform(i.targetPlatform) } : {}),
        base: base(i.base),
        deps: i.deps,
        ...(i.targetArgsUsed.length > 0 ? { targetArgsUsed: i.targetArgsUsed } : {}),
        steps: i.steps.map((s) => {
          const st: Record<string, unknown> = { ...compact(s.instruction) };
          delete st['line'];
          const out: Record<string, unknown> = { line: s.instruction.range.startLine, ...st, workdir: s.workdir };
          if (s.instruction.kind === 'RUN') {
            out['env'] = s.env;
            if (s.user !== undefined) out['user'] = s.user;
            if (s.shell.join(' ') !== '/bin/sh -c') out['shell'] = s.shell;
          }
          if (s.fromKey !== undefined) out['fromKey'] = s.fromKey;
          if (s.fromImage !== undefined) out['fromImage'] = s.fromImage;
          return out;
        }),
        finalImageEnv: i.steps[i.steps.length - 1]?.imageEnv ?? {},
      })),
      warnings: plan.warnings.map((w) => `${w.line ?? '-'}: ${w.message}`),
      ...(plan.sourceDateEpoch !== undefined ? { sourceDateEpoch: plan.sourceDateEpoch } : {}),
      runCheck,
    },
  };
}
