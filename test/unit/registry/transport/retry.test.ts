import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, DEFAULT_RETRY, isTemporaryNetworkError, retryAfterMs } from '../../../../registry/transport/retry.js';
import { isTemporaryStatus } from '../../../../registry/errors.js';

test('Retry-After as seconds and as an HTTP date', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(new Date(10_000 + 5000).toUTCString(), 10_000), 5000);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(undefined), undefined);
});

test('backoff grows exponentially with jitter, is capped, and Retry-After wins (capped)', () => {
  assert.equal(
    backoffMs(DEFAULT_RETRY, 0, undefined, () => 0),
    125,
  );
  assert.equal(
    backoffMs(DEFAULT_RETRY, 0, undefined, () => 1),
    250,
  );
  assert.equal(
    backoffMs(DEFAULT_RETRY, 3, undefined, () => 1),
    2000,
  );
  assert.equal(
    backoffMs(DEFAULT_RETRY, 20, undefined, () => 1),
    DEFAULT_RETRY.maxDelayMs,
  );
  assert.equal(backoffMs(DEFAULT_RETRY, 0, 1500), 1500);
  assert.equal(backoffMs(DEFAULT_RETRY, 0, 10 * 60_000), DEFAULT_RETRY.maxRetryAfterMs);
});

const statuses: [number, boolean][] = [
  [408, true],
  [429, true],
  [500, true],
  [502, true],
  [503, true],
  [504, true],
  [501, false],
  [400, false],
  [401, false],
  [404, false],
];
for (const [s, want] of statuses) test(`status ${s} temporary=${want}`, () => assert.equal(isTemporaryStatus(s), want));

test('network errors: resets and timeouts are temporary, TLS failures are not', () => {
  assert.equal(isTemporaryNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
  assert.equal(isTemporaryNetworkError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })), true);
  assert.equal(isTemporaryNetworkError(new Error('x', { cause: Object.assign(new Error('y'), { code: 'UND_ERR_SOCKET' }) })), true);
  assert.equal(isTemporaryNetworkError(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })), false);
});
