/**
 * `isShellSpace` is Go's `unicode.IsSpace`, which BuildKit's lexer uses to split words: the ASCII
 * blanks plus NEL, NO-BREAK SPACE and the Unicode space separators.
 */
export function isShellSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/**
 * `WordCollector` splits the lexer's output into words the way BuildKit's `ProcessWords` does:
 * unquoted blanks end a word, quoted text and escaped characters never do, and a word that stays
 * empty (`""`) is dropped.
 */
export class WordCollector {
  readonly words: string[] = [];
  #word = '';
  #inWord = false;

  /** Adds one character that came from unquoted text or from a variable's value. */
  addChar(ch: string): void {
    if (isShellSpace(ch)) {
      if (this.#inWord && this.#word.length > 0) {
        this.words.push(this.#word);
        this.#word = '';
        this.#inWord = false;
      }
      return;
    }
    this.addRaw(ch);
  }

  /** Adds text that is part of the word whatever it holds (quoted text, an escaped character). */
  addRaw(text: string): void {
    this.#word += text;
    this.#inWord = true;
  }

  /** Adds a variable's value character by character: blanks in it split words. */
  addExpanded(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  /** The words, with the last one closed. */
  finish(): string[] {
    if (this.#word.length > 0) {
      this.words.push(this.#word);
      this.#word = '';
      this.#inWord = false;
    }
    return this.words;
  }
}
