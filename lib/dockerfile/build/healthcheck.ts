import type { InstructionNode } from '../ast/node.js';
import type { HealthcheckInstruction } from '../instructions.js';
import { parseDuration } from '../flags.js';
import { argErrors, baseFields, commandForm, flagsOf } from './common.js';
import { syntax } from './instruction-error.js';

/** Docker's minimum for a non-zero health-check duration (`container.MinimumDuration`). */
const MIN_DURATION_NS = 1e6;
const DURATIONS = [
  ['interval', 'interval'],
  ['timeout', 'timeout'],
  ['start-period', 'startPeriod'],
  ['start-interval', 'startInterval'],
] as const;

/**
 * `buildHealthcheck` types `HEALTHCHECK NONE` and `HEALTHCHECK [flags] CMD …`, with BuildKit's
 * rules: durations are Go durations of at least 1ms (or 0), retries a non-negative integer, and
 * flags are not looked at for NONE.
 */
export function buildHealthcheck(node: InstructionNode): HealthcheckInstruction {
  if (node.args.length === 0) throw argErrors.atLeastOne('HEALTHCHECK');
  const type = node.args[0]!.toUpperCase();
  const rest = node.args.slice(1);
  if (type === 'NONE') {
    if (rest.length > 0) throw syntax('HEALTHCHECK NONE takes no arguments');
    return { kind: 'HEALTHCHECK', ...baseFields(node), test: 'none' };
  }
  const flags = flagsOf(node, 'HEALTHCHECK');
  if (type !== 'CMD') throw syntax(`unknown type ${JSON.stringify(node.args[0])} in HEALTHCHECK (try CMD)`);
  if (rest.length === 0) throw syntax('Missing command after HEALTHCHECK CMD');
  const hc: HealthcheckInstruction = { kind: 'HEALTHCHECK', ...baseFields(node), test: commandForm(node, rest) };
  for (const [flag, field] of DURATIONS) {
    const v = flags.strings.get(flag);
    if (v === undefined || v === '') continue;
    const ns = parseDuration(v);
    if (ns === undefined) throw syntax(`--${flag}: invalid duration ${JSON.stringify(v)}`, 'use Go durations such as 30s, 1m30s, 500ms');
    if (ns !== 0 && ns < MIN_DURATION_NS) throw syntax(`Interval ${JSON.stringify(flag)} cannot be less than 1ms`);
    hc[field] = ns;
  }
  const retries = flags.strings.get('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[+-]?\d+$/.test(retries)) throw syntax(`--retries: ${JSON.stringify(retries)} is not a whole number`);
    const n = Number(retries);
    if (n < 0) throw syntax(`--retries cannot be negative (${n})`);
    hc.retries = n;
  }
  return hc;
}
