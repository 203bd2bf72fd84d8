/** `RetryPolicy` bounds how often and how long a temporary failure is retried. */
export interface RetryPolicy {
  /** Attempts in total, including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this many milliseconds. */
  maxRetryAfterMs: number;
}

/** `DEFAULT_RETRY` is five attempts with 0.25 s, 0.5 s, 1 s, 2 s backoff (jittered). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

const TEMPORARY_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** `isTemporaryNetworkError` tells resets and timeouts (retry) from e.g. TLS failures (do not). */
export function isTemporaryNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TEMPORARY_CODES.has(code)) return true;
  }
  return false;
}

/**
 * `retryAfterMs` parses a Retry-After header (delta-seconds or an HTTP date, RFC 9110 §10.2.3)
 * into milliseconds, or undefined when absent or unparseable.
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * `backoffMs` is the wait before attempt `attempt + 1`: exponential with "equal jitter"
 * (half fixed, half random) so parallel clients do not retry in lockstep, or the server's
 * Retry-After when it sent one (capped).
 */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfter?: number, random = Math.random): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxRetryAfterMs);
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exp / 2 + random() * (exp / 2);
}

/** `sleep` waits, ending early with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
