/**
 * `LineBuffer` turns a byte stream into lines (a partial last line is held until more arrives
 * or `flush`), and remembers the last `keep` lines for error messages.
 */
export class LineBuffer {
  readonly #emit: (line: string) => void;
  readonly #keep: number;
  readonly #tail: string[] = [];
  #partial = '';

  constructor(emit: (line: string) => void, keep = 20) {
    this.#emit = emit;
    this.#keep = keep;
  }

  /** `push` feeds a chunk of output. */
  push(chunk: Buffer | string): void {
    const text = this.#partial + chunk.toString();
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const l of lines) this.#line(l.replace(/\r$/, ''));
  }

  /** `flush` emits a last line that had no newline. */
  flush(): void {
    if (this.#partial !== '') this.#line(this.#partial);
    this.#partial = '';
  }

  /** `tail` is the last lines seen, oldest first. */
  tail(): string[] {
    return [...this.#tail];
  }

  #line(l: string): void {
    this.#tail.push(l);
    if (this.#tail.length > this.#keep) this.#tail.shift();
    this.#emit(l);
  }
}
