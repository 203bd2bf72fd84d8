// An Executor wrapper that counts RUNs (the seam the e2e dedupe/cache tests observe).
import type { ExecRequest, ExecResult, Executor } from '../../../../lib/exec/executor.js';

export class CountingExecutor implements Executor {
  readonly name: 'namespace' | 'plain';
  readonly runs: string[] = [];
  readonly #inner: Executor;

  constructor(inner: Executor) {
    this.#inner = inner;
    this.name = inner.name;
  }

  run(req: ExecRequest): Promise<ExecResult> {
    this.runs.push(req.argv[req.argv.length - 1]!);
    return this.#inner.run(req);
  }
}
