import pLimit from 'p-limit';

/** `GraphNode` is one unit of work and the keys it must wait for. */
export interface GraphNode {
  key: string;
  deps: readonly string[];
}

/**
 * `runGraph` runs a dependency graph: each node starts when its dependencies have finished,
 * independent nodes run concurrently, at most `concurrency` at a time (waiting for deps does not
 * hold a slot, so there is no deadlock). Each node runs once. The first failure aborts the
 * signal given to the remaining work and is rethrown after everything started has settled.
 */
export async function runGraph<T>(
  nodes: readonly GraphNode[],
  concurrency: number,
  work: (node: GraphNode, signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal,
): Promise<Map<string, T>> {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const limit = pLimit(Math.max(1, concurrency));
  const ctl = new AbortController();
  const onParent = (): void => ctl.abort(parent?.reason);
  parent?.addEventListener('abort', onParent, { once: true });
  const started = new Map<string, Promise<T>>();
  let firstError: { error: unknown } | undefined;
  const start = (key: string, path: string[]): Promise<T> => {
    const existing = started.get(key);
    if (existing) return existing;
    const node = byKey.get(key);
    if (!node) return Promise.reject(new Error(`unknown dependency ${key}`));
    if (path.includes(key)) return Promise.reject(new Error(`dependency cycle: ${[...path, key].join(' → ')}`));
    const p = (async () => {
      const deps = node.deps.filter((d) => byKey.has(d));
      await Promise.all(deps.map((d) => start(d, [...path, key])));
      return limit(() => {
        if (ctl.signal.aborted) throw ctl.signal.reason ?? new Error('aborted');
        return work(node, ctl.signal);
      });
    })();
    p.catch((err) => {
      firstError ??= { error: err };
      ctl.abort(err);
    });
    started.set(key, p);
    return p;
  };
  for (const n of nodes) start(n.key, []).catch(() => undefined);
  await Promise.allSettled([...started.values()]);
  parent?.removeEventListener('abort', onParent);
  // Rethrows whatever the work threw, as it was.
  if (firstError !== undefined) throw firstError.error;
  const out = new Map<string, T>();
  for (const [k, p] of started) out.set(k, await p);
  return out;
}
