/**
 * `LiveRegion` is the bottom of a terminal that redraws in place (one line per running stage or
 * upload) while permanent lines (logs, layers, warnings) scroll above it. Every redraw moves the
 * cursor back to the top of the region it drew last time, clears to the end of the screen, writes
 * the permanent lines that arrived since, then the region again. Lines are cut to the terminal
 * width: a line that wrapped would make the region taller than the cursor moves back, and the
 * next redraw would land inside the text above it.
 */
export class LiveRegion {
  readonly #out: NodeJS.WriteStream;
  readonly #rows = new Map<string, string>();
  #pending: string[] = [];
  #drawn = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    out: NodeJS.WriteStream,
    readonly intervalMs = 100,
  ) {
    this.#out = out;
  }

  /** `log` queues a permanent line (drawn above the region at the next redraw). */
  log(line: string): void {
    if (this.#stopped) {
      this.#out.write(`${line}\n`);
      return;
    }
    this.#pending.push(line);
    this.#schedule();
  }

  /** `set` creates or updates the live row `id`; `remove` drops it. */
  set(id: string, text: string): void {
    this.#rows.set(id, text);
    this.#schedule();
  }

  remove(id: string): void {
    if (this.#rows.delete(id)) this.#schedule();
  }

  /** `stop` draws the last frame and leaves the region on screen as ordinary lines. */
  stop(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#draw();
    this.#stopped = true;
    this.#out.write('\x1b[?25h');
  }

  #schedule(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#draw();
    }, this.intervalMs);
    this.#timer.unref();
  }

  #draw(): void {
    const width = Math.max(20, (this.#out.columns || 80) - 1);
    let frame = this.#drawn > 0 ? `\x1b[${this.#drawn}A\r\x1b[J` : '\x1b[?25l';
    for (const line of this.#pending) frame += `${line}\n`;
    this.#pending = [];
    const rows = [...this.#rows.values()].map((r) => fit(r, width));
    for (const r of rows) frame += `${r}\n`;
    this.#drawn = rows.length;
    this.#out.write(frame);
  }
}

/** `fit` cuts a line to `width` columns (plain text, one column per code point), marking the cut. */
export function fit(line: string, width: number): string {
  const chars = [...line.replace(/[\r\n\t]/g, ' ')];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, width - 1).join('')}…`;
}
