import { describe, expect, it } from 'vitest';
import { retrySettings } from '../../src/client/options.js';
import { parseRetryAfter } from '../../src/client/retry-after.js';
import { retryDelay, type RetryQuestion } from '../../src/client/retry-policy.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delay-seconds and HTTP dates (counted from now, a past one as 0)', () => {
    expect(parseRetryAfter('3', now)).toBe(3);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter('Sunday, 01-Mar-26 12:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is neither', () => {
    for (const header of [null, '', '-1', '1.5', 'soon', '2026-03-01', 'Sun, not a date']) {
      expect(parseRetryAfter(header, now)).toBeUndefined();
    }
  });
});

describe('retryDelay', () => {
  const settings = retrySettings({ maxRetries: 2, maxDelayMs: 10_000, baseDelayMs: 500 });
  const ask = (question: Partial<RetryQuestion>) =>
    retryDelay(
      { status: 429, retryAfter: undefined, safe: false, retriesMade: 0, remainingMs: 60_000, ...question },
      settings,
      () => 1,
    );

  it('retries nothing but 429 and 503', () => {
    for (const status of [400, 401, 403, 404, 408, 413, 500, 502, 504]) {
      expect(ask({ status, safe: true, retryAfter: 1 })).toBeUndefined();
    }
    expect(ask({ status: 429 })).toBe(500);
    expect(ask({ status: 503, retryAfter: 1 })).toBe(1_000);
  });

  it('retries a 503 without Retry-After only for a request that changes nothing', () => {
    expect(ask({ status: 503, safe: false })).toBeUndefined();
    expect(ask({ status: 503, safe: true })).toBe(500);
    // A 429 and a 503 with Retry-After are refusals made before anything was done: writes are retried too.
    expect(ask({ status: 429, safe: false, retryAfter: 2 })).toBe(2_000);
    expect(ask({ status: 503, safe: false, retryAfter: 2 })).toBe(2_000);
  });

  it('waits Retry-After when given, else backs off exponentially with jitter, up to maxDelayMs', () => {
    expect(ask({ retriesMade: 1 })).toBe(1_000);
    const low = retryDelay(
      { status: 503, retryAfter: undefined, safe: true, retriesMade: 1, remainingMs: 60_000 },
      settings,
      () => 0,
    );
    expect(low).toBe(500);
    const many = retrySettings({ maxRetries: 20, maxDelayMs: 3_000, baseDelayMs: 500 });
    expect(
      retryDelay(
        { status: 429, retryAfter: undefined, safe: true, retriesMade: 10, remainingMs: 60_000 },
        many,
        () => 1,
      ),
    ).toBe(3_000);
  });

  it('stops after maxRetries, at a Retry-After above maxDelayMs, and when the call would run out of time', () => {
    expect(ask({ retriesMade: 2 })).toBeUndefined();
    expect(ask({ retryAfter: 11 })).toBeUndefined();
    expect(ask({ retryAfter: 10 })).toBe(10_000);
    expect(ask({ retryAfter: 2, remainingMs: 1_999 })).toBeUndefined();
  });
});
