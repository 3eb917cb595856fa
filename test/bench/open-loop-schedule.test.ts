/**
 * The arithmetic behind the HTTP benchmark's open-loop mode: the fixed schedule and latency counted from each
 * request's intended send time (coordinated omission corrected).
 */
import { describe, expect, it } from 'vitest';
import {
  correctedLatencies,
  dueCount,
  intendedSendMs,
  scheduledCount,
} from '../../bench/support/open-loop-schedule.js';

describe('open-loop schedule', () => {
  it('spaces requests evenly at the rate and sends rate × seconds of them', () => {
    const schedule = { rate: 4000, seconds: 2 };
    expect(scheduledCount(schedule)).toBe(8000);
    expect(intendedSendMs(schedule, 0)).toBe(0);
    expect(intendedSendMs(schedule, 3)).toBe(0.75);
    expect(intendedSendMs(schedule, 7999)).toBe(1999.75);
  });

  it('counts a request due from its intended time on, and never more than the schedule holds', () => {
    const schedule = { rate: 4000, seconds: 1 };
    expect(dueCount(schedule, -0.1)).toBe(0);
    expect(dueCount(schedule, 0)).toBe(1);
    expect(dueCount(schedule, 0.24)).toBe(1);
    expect(dueCount(schedule, 0.25)).toBe(2);
    expect(dueCount(schedule, 10)).toBe(41);
    expect(dueCount(schedule, 60_000)).toBe(4000);
  });
});

describe('latency from the intended send time', () => {
  it('charges a stall to every request that was due during it, not only to the one it hit', () => {
    // 1,000 requests/s for 0.1 s: the server stalls 50 ms on request 0, so requests 0–49 are all answered at
    // 50 ms; the rest are answered 0.1 ms after their intended time. Measured from when each was actually sent
    // (a closed loop), one request would look slow; from intended times, half of them were.
    const schedule = { rate: 1000, seconds: 0.1 };
    const answeredAt = Array.from({ length: 100 }, (_, i) => (i < 50 ? 50 : i + 0.1));
    const latencies = correctedLatencies(schedule, answeredAt);
    expect(latencies.answered).toBe(100);
    expect(latencies.p50).toBeCloseTo(0.1, 9);
    expect(latencies.p99).toBe(49);
    expect(latencies.p999).toBe(50);
    expect(latencies.max).toBe(50);
  });

  it('leaves unanswered requests out of the percentiles', () => {
    const schedule = { rate: 1000, seconds: 0.004 };
    const latencies = correctedLatencies(schedule, [2, Number.NaN, 4, 5]);
    expect(latencies.answered).toBe(3);
    expect(latencies.p50).toBe(2);
    expect(latencies.max).toBe(2);
  });
});
