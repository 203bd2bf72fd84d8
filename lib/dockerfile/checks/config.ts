import { OcibakeError } from '../../errors.js';
import { RULES, type Rule } from './rules.js';

/** `CheckConfig` is what `# check=` (or the `BUILDKIT_DOCKERFILE_CHECK` build arg) asks for. */
export interface CheckConfig {
  skipAll: boolean;
  skip: ReadonlySet<string>;
  experimentalAll: boolean;
  experimental: ReadonlySet<string>;
  /** `error=true`: any reported check fails the build. */
  error: boolean;
}

/** The configuration when nothing is set: every non-experimental rule, as warnings. */
export const DEFAULT_CHECK_CONFIG: CheckConfig = { skipAll: false, skip: new Set(), experimentalAll: false, experimental: new Set(), error: false };

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * `parseCheckConfig` reads a `# check=` value as BuildKit's `ParseLintOptions` does: up to three
 * `;`-separated options `skip=<rules>|all`, `experimental=<rules>|all` and `error=<bool>`; any other
 * key, or an option without `=`, is an error.
 *
 *     parseCheckConfig('skip=JSONArgsRecommended,StageNameCasing;error=true').error // true
 */
export function parseCheckConfig(value: string): CheckConfig {
  const text = value.trim();
  if (text === '') return DEFAULT_CHECK_CONFIG;
  let skipAll = false;
  let experimentalAll = false;
  let error = false;
  let skip = new Set<string>();
  let experimental = new Set<string>();
  for (const part of splitN(text, ';', 3)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw configError(`invalid check option ${JSON.stringify(part)}`);
    const key = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    switch (key) {
      case 'skip':
        if (v === 'all') skipAll = true;
        else skip = new Set(v.split(',').map((r) => r.trim()));
        break;
      case 'experimental':
        if (v === 'all') experimentalAll = true;
        else experimental = new Set(v.split(',').map((r) => r.trim()));
        break;
      case 'error':
        if (TRUE.has(v)) error = true;
        else if (FALSE.has(v)) error = false;
        else throw configError(`failed to parse check option ${JSON.stringify(part)}: invalid syntax`);
        break;
      default:
        throw configError(`invalid check option ${JSON.stringify(key)}`);
    }
  }
  return { skipAll, skip, experimentalAll, experimental, error };
}

/** `ruleEnabled` applies a configuration to a rule: experimental rules need enabling, others can be skipped. */
export function ruleEnabled(rule: Rule, config: CheckConfig): boolean {
  if (rule.experimental) return config.experimentalAll || config.experimental.has(rule.name);
  return !config.skipAll && !config.skip.has(rule.name);
}

/** `knownRule` tells whether a name in `skip=`/`experimental=` is a rule ocibake knows. */
export function knownRule(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(RULES, name);
}

/** Go's `strings.SplitN`: at most `n` parts, the last one holding the rest. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function configError(message: string): OcibakeError {
  return new OcibakeError('OCIBAKE_DOCKERFILE_SYNTAX', `failed to parse check options: ${message}`, {
    hint: 'write # check=skip=<Rule>[,<Rule>...][;error=true][;experimental=<Rule>|all]',
  });
}
