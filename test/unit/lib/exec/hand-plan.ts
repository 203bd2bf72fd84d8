// Hand-built BuildPlan pieces for executor tests (the real planner is exercised by the e2e tests).
import type { CopyInstruction, Instruction, RunInstruction, RunMount, Stage, WorkdirInstruction } from '../../../../lib/dockerfile/instructions.js';
import type { BaseSource, BuildPlan, StageInstance, Step } from '../../../../lib/plan/types.js';
import { parsePlatform, hostPlatform, type Platform } from '../../../../lib/oci/platform.js';

export const build: Platform = hostPlatform();

export function run(text: string, line: number, mounts: RunMount[] = []): RunInstruction {
  return { kind: 'RUN', range: { startLine: line, endLine: line }, text: `RUN ${text}`, command: { form: 'shell', text }, mounts, heredocs: [] };
}

export function copy(sources: string[], dest: string, line: number, extra: Partial<CopyInstruction> = {}): CopyInstruction {
  return {
    kind: 'COPY',
    range: { startLine: line, endLine: line },
    text: `COPY ${sources.join(' ')} ${dest}`,
    sources,
    dest,
    link: false,
    parents: false,
    exclude: [],
    heredocs: [],
    ...extra,
  };
}

export function workdir(path: string, line: number): WorkdirInstruction {
  return { kind: 'WORKDIR', range: { startLine: line, endLine: line }, text: `WORKDIR ${path}`, path };
}

export function step(instruction: Instruction, env: Record<string, string> = {}, wd = '/', extra: Partial<Step> = {}): Step {
  return { instruction, env, workdir: wd, shell: ['/bin/sh', '-c'], ...extra };
}

export function instance(o: {
  key: string;
  name: string;
  index?: number;
  steps: Step[];
  target?: string;
  deps?: string[];
  base?: BaseSource;
  kind?: 'host' | 'target';
}): StageInstance {
  const stage: Stage = {
    index: o.index ?? 0,
    name: o.name,
    from: { kind: 'FROM', range: { startLine: 1, endLine: 1 }, text: 'FROM x', image: 'x' },
    instructions: o.steps.map((s) => s.instruction),
    range: { startLine: 1, endLine: 10 },
  };
  const inst: StageInstance = {
    key: o.key,
    stage,
    kind: o.kind ?? 'host',
    reason: 'test',
    platform: build,
    base: o.base ?? { type: 'scratch' },
    steps: o.steps,
    deps: o.deps ?? [],
    targetArgsUsed: o.target ? ['TARGETARCH'] : [],
  };
  if (o.target) inst.targetPlatform = parsePlatform(o.target);
  return inst;
}

export function plan(instances: StageInstance[], targets: string[] = ['linux/amd64']): BuildPlan {
  return {
    buildPlatform: build,
    targets: targets.map((t) => ({ platform: parsePlatform(t), final: instances[instances.length - 1]!.key })),
    instances,
    warnings: [],
  };
}
