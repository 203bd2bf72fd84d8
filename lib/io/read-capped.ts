/**
 * `readCapped` drains a stream into one Buffer, refusing to hold more than `max` bytes: with
 * `tooLarge` the read fails with that error as soon as the limit is passed (a manifest that never
 * ends cannot exhaust memory); without it the rest is read and dropped (an error body, whose text
 * is decoration). Network JSON and error bodies are read only through here.
 *
 *   const bytes = await readCapped(res.body, 4 << 20, (n) => new ImageError(…));
 */
export async function readCapped(body: AsyncIterable<Uint8Array>, max: number, tooLarge?: (max: number) => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c);
    if (n + chunk.length > max) {
      if (tooLarge) throw tooLarge(max);
      if (n < max) chunks.push(chunk.subarray(0, max - n));
      n = max;
      continue;
    }
    chunks.push(chunk);
    n += chunk.length;
  }
  return Buffer.concat(chunks);
}
