/**
 * The build checks (BuildKit's Dockerfile linter, `docker build --check`): the public API.
 *
 *     const { results, error } = lintDockerfile(text, 'Dockerfile', { buildArgs, ignore, allStages: true });
 *     for (const r of results) console.error(formatCheckResult(r));
 *     const failure = error ?? checkFailure(results); // checkFailure: `# check=error=true` and something was found
 */
export { runChecks, lintDockerfile, type CheckOptions, type LintReport } from './engine.js';
export { checkFailure, formatCheckResult, type CheckResult, type CheckLevel } from './result.js';
export { RULES, type Rule, type RuleName } from './rules.js';
export { parseCheckConfig, DEFAULT_CHECK_CONFIG, type CheckConfig } from './config.js';
export type { IgnoreMatcher } from './dispatch.js';
export type { BaseImageConfig } from './stage-state.js';
export type { ScopePlatforms } from './global-scope.js';
