/**
 * `interruptSignal` is aborted by the first Ctrl-C (SIGINT) or SIGTERM, so a build stops its RUN
 * processes and cleans up its scratch space instead of dying with them half done; a second
 * signal exits at once.
 */
let interrupted = false;

/** `wasInterrupted` tells the error handler that whatever failed, the user asked for it. */
export function wasInterrupted(): boolean {
  return interrupted;
}

export function interruptSignal(): AbortSignal {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (ctl.signal.aborted) process.exit(130);
    process.stderr.write(`\nreceived ${sig}: stopping the build (press Ctrl-C again to quit at once)\n`);
    interrupted = true;
    ctl.abort(new Error(`interrupted by ${sig}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  ctl.signal.addEventListener('abort', () => {
    process.on('SIGINT', () => process.exit(130));
    process.on('SIGTERM', () => process.exit(143));
  });
  return ctl.signal;
}
