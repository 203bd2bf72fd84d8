import { OcibakeError } from '../../errors.js';
import { ruleEnabled, type CheckConfig } from './config.js';
import { RULES, type RuleName } from './rules.js';

/** `CheckLevel`: `error` when the Dockerfile's `# check=error=true` makes every finding fatal. */
export type CheckLevel = 'warning' | 'error';

/** `CheckResult` is one finding of a build check, located in the Dockerfile. */
export interface CheckResult {
  rule: RuleName;
  /** The rule's one-line description. */
  description: string;
  /** What is wrong here, worded as BuildKit words it. */
  message: string;
  /** The rule's documentation. */
  url: string;
  file: string;
  /** 1-based lines of the instruction the finding is about. */
  range: { startLine: number; endLine: number };
  level: CheckLevel;
}

/** `Where` is the location a rule reports at. */
export interface Where {
  startLine: number;
  endLine: number;
}

/**
 * `Reporter` collects findings in the order the rules produce them, dropping those the
 * configuration disables and repeats of the same finding at the same place (BuildKit reports a
 * variable once per word it appears in).
 */
export class Reporter {
  readonly results: CheckResult[] = [];
  readonly #seen = new Set<string>();
  readonly #file: string;
  readonly #config: CheckConfig;

  constructor(file: string, config: CheckConfig) {
    this.#file = file;
    this.#config = config;
  }

  /** `enabled` lets a rule skip its work when it would be dropped anyway. */
  enabled(name: RuleName): boolean {
    return ruleEnabled(RULES[name], this.#config);
  }

  report(name: RuleName, at: Where, message: string): void {
    if (!this.enabled(name)) return;
    const key = `${name}\u0000${at.startLine}\u0000${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const rule = RULES[name];
    this.results.push({
      rule: name,
      description: rule.description,
      message,
      url: rule.url,
      file: this.#file,
      range: { startLine: at.startLine, endLine: at.endLine },
      level: this.#config.error ? 'error' : 'warning',
    });
  }
}

/**
 * `checkFailure` is the error a build must fail with when `# check=error=true` is set and some check
 * reported (BuildKit: "lint violation found for rules: …"), or undefined.
 *
 *     const failure = checkFailure(results); if (failure) throw failure;
 */
export function checkFailure(results: readonly CheckResult[]): OcibakeError | undefined {
  const fatal = results.filter((r) => r.level === 'error');
  if (fatal.length === 0) return undefined;
  const rules = [...new Set(fatal.map((r) => r.rule))];
  return new OcibakeError('OCIBAKE_DOCKERFILE_SEMANTIC', `lint violation found for rules: ${rules.join(', ')}`, {
    hint: 'fix the findings above, or drop error=true from the # check= directive',
  });
}

/** `formatCheckResult` prints a finding the way `docker build` does, with its location. */
export function formatCheckResult(r: CheckResult): string {
  const lines = r.range.endLine > r.range.startLine ? `${r.range.startLine}-${r.range.endLine}` : `${r.range.startLine}`;
  return `${r.level === 'error' ? 'ERROR' : 'WARN'}: ${r.rule}: ${r.message} (${r.file}:${lines})\n  ${r.description}\n  More info: ${r.url}`;
}
