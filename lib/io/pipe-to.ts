import { pipeline, type Duplex, type Readable } from 'node:stream';

/**
 * `pipeTo` pipes `source` into `through` and returns `through`, with errors going both ways: a
 * failed source destroys `through` with its error (so whoever reads `through` sees it), and a
 * destroyed `through` destroys the source (its file handle or socket is released).
 *
 * Use it instead of `source.on('error', …); source.pipe(through)`: that misses an error the
 * source hit before the listener was attached (a small blob read and verified at once), and the
 * reader of `through` then waits forever. `stream.pipeline` looks at the source's `errored`
 * state as well as its events.
 *
 *   return pipeTo(createReadStream(path), new VerifyingStream(desc));
 */
export function pipeTo<T extends Duplex>(source: Readable, through: T): T {
  pipeline(source, through, () => {
    // Errors reach the reader of `through` (it is destroyed with them); nothing else to do.
  });
  return through;
}
