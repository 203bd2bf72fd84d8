import { parsePlatform } from '../../oci/platform.js';
import { expandWord, type Expansion } from '../expand.js';
import type { Stage } from '../instructions.js';
import { closest } from './closest.js';
import type { GlobalScope } from './global-scope.js';
import { MESSAGES } from './messages.js';
import { isValidImageReference } from './reference.js';
import type { Reporter } from './result.js';

function expand(word: string, values: ReadonlyMap<string, string>, escape: string): Expansion | undefined {
  try {
    return expandWord(word, (n) => values.get(n), { escape });
  } catch {
    return undefined;
  }
}

/**
 * `checkDefaultBaseNames` is InvalidDefaultArgInFrom: with the global ARGs at their defaults (no
 * `--build-arg`), every FROM must still name a valid image. `defaults` is that scope; undefined
 * (a default that does not expand) skips the rule, as BuildKit does.
 */
export function checkDefaultBaseNames(stages: readonly Stage[], defaults: GlobalScope | undefined, escape: string, out: Reporter): void {
  if (defaults === undefined || !out.enabled('InvalidDefaultArgInFrom')) return;
  for (const s of stages) {
    // The rule is about ARG defaults: a FROM without a variable is not its business, and
    // `oci-layout://DIR:tag` is ocibake's own reference form.
    if (!s.from.image.includes('$')) continue;
    const r = expand(s.from.image, defaults.values, escape);
    if (r === undefined) return;
    if (r.value.startsWith('oci-layout://')) continue;
    const at = { startLine: s.from.range.startLine, endLine: s.from.range.endLine };
    if (!isValidImageReference(r.value)) out.report('InvalidDefaultArgInFrom', at, MESSAGES.InvalidDefaultArgInFrom(s.from.image));
  }
}

/**
 * `checkFromLine` runs the rules about one FROM line, in BuildKit's order: UndefinedArgInFrom for
 * the image, then for `--platform` UndefinedArgInFrom, RedundantTargetPlatform and
 * FromPlatformFlagConstDisallowed. Returns the expanded image name (undefined when it fails).
 */
export function checkFromLine(stage: Stage, scope: GlobalScope, escape: string, out: Reporter): string | undefined {
  const known = new Set([...scope.declared, ...scope.values.keys()]);
  const at = { startLine: stage.from.range.startLine, endLine: stage.from.range.endLine };
  const undeclared = (r: Expansion): void => {
    for (const name of r.unset) {
      if (!known.has(name)) out.report('UndefinedArgInFrom', at, MESSAGES.UndefinedArgInFrom(name, closest(name, known)));
    }
  };
  const image = expand(stage.from.image, scope.values, escape);
  if (image !== undefined) undeclared(image);
  const platform = stage.from.platform;
  if (platform !== undefined) {
    const p = expand(platform, scope.values, escape);
    if (p !== undefined) {
      undeclared(p);
      const matched = p.used.filter((n) => !p.unset.includes(n));
      if (matched.length === 1 && matched[0] === 'TARGETPLATFORM' && p.unset.length === 0 && p.value === scope.values.get('TARGETPLATFORM')) {
        out.report('RedundantTargetPlatform', at, MESSAGES.RedundantTargetPlatform(platform));
      }
      if (p.used.length === 0) constPlatform(stage.name ?? '', p.value, at, out);
    }
  }
  return image?.value;
}

function constPlatform(stageName: string, value: string, at: { startLine: number; endLine: number }, out: Reporter): void {
  let os: string;
  let arch: string;
  try {
    const p = parsePlatform(value);
    os = p.os;
    arch = p.architecture;
  } catch {
    return;
  }
  // A stage named for its platform (`FROM --platform=linux/arm64 … AS build-arm64`) is deliberate.
  if (stageName.includes(os) || stageName.includes(arch)) return;
  out.report('FromPlatformFlagConstDisallowed', at, MESSAGES.FromPlatformFlagConstDisallowed(value));
}
