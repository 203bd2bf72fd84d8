import { OcibakeError } from '../../errors.js';
import type { AstDirective } from './node.js';

const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const NAMES = new Set(['escape', 'syntax', 'check']);

/** `DirectiveError` is a repeated directive; the parser locates it. */
export class DirectiveError extends OcibakeError {
  constructor(message: string) {
    super('OCIBAKE_DOCKERFILE_SYNTAX', message);
  }
}

/**
 * `DirectiveParser` recognises parser directives the way BuildKit does: only on the lines before
 * anything else (an instruction, a blank line, an ordinary comment or an unknown directive ends the
 * block), `# name = value` with a known name, each name at most once.
 */
export class DirectiveParser {
  #done = false;
  #line = 0;
  readonly #seen = new Set<string>();

  constructor(firstLine = 0) {
    this.#line = firstLine;
  }

  /** `parseLine` takes one line (leading blanks already removed) and returns its directive, if any. */
  parseLine(line: string): AstDirective | undefined {
    this.#line++;
    if (this.#done) return undefined;
    if (!line.startsWith('#')) {
      this.#done = true;
      return undefined;
    }
    const m = DIRECTIVE.exec(line.slice(1).replace(/^\s+/u, ''));
    const name = m?.[1]?.toLowerCase();
    if (m === null || name === undefined || !NAMES.has(name)) {
      this.#done = true;
      return undefined;
    }
    if (this.#seen.has(name)) throw new DirectiveError(`only one ${name} parser directive can be used`);
    this.#seen.add(name);
    return { name: name as AstDirective['name'], value: m[2]!, line: this.#line };
  }
}

/**
 * `readDirective` finds one directive's value the way BuildKit's `ParseDirective` does for
 * `# check=`: a leading byte-order mark and a `#!` shebang line are skipped first.
 *
 *     readDirective('check', '# check=skip=JSONArgsRecommended\nFROM a\n')?.value // 'skip=JSONArgsRecommended'
 */
export function readDirective(name: AstDirective['name'], text: string): AstDirective | undefined {
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let first = 0;
  if (body.startsWith('#!')) {
    const nl = body.indexOf('\n');
    body = nl < 0 ? '' : body.slice(nl + 1);
    first = 1;
  }
  const parser = new DirectiveParser(first);
  for (const raw of body.split('\n')) {
    let d: AstDirective | undefined;
    try {
      d = parser.parseLine(raw.replace(/\r+$/, ''));
    } catch {
      return undefined;
    }
    if (d === undefined) return undefined;
    if (d.name === name) return d;
  }
  return undefined;
}
