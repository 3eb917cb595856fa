/**
 * The arithmetic of an open-loop (fixed-rate) load, kept free of I/O so it can be tested on its own: when each
 * request is meant to be sent, how many are due at a given moment, and latency percentiles measured from the
 * intended send times (so a stalled server is charged for every request it kept waiting, not only the one it
 * stalled on: coordinated omission corrected).
 */
import { nearestRank } from './statistics.js';

/** A constant arrival rate for a fixed time: request i is meant to leave at i / rate seconds after the start. */
export interface Schedule {
  /** Requests per second, > 0. */
  readonly rate: number;
  /** Length of the schedule in seconds, > 0. */
  readonly seconds: number;
}

/** How many requests the schedule sends in all. */
export function scheduledCount(schedule: Schedule): number {
  return Math.floor(schedule.rate * schedule.seconds);
}

/** When request `index` (from 0) is meant to be sent, in ms after the start. */
export function intendedSendMs(schedule: Schedule, index: number): number {
  return (index * 1000) / schedule.rate;
}

/** How many requests are due `elapsedMs` after the start: every one whose intended time is not later. */
export function dueCount(schedule: Schedule, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(scheduledCount(schedule), Math.floor((elapsedMs * schedule.rate) / 1000) + 1);
}

export interface CorrectedLatencies {
  /** Requests answered. */
  readonly answered: number;
  /** Milliseconds from each request's intended send time to its answer. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * Percentiles of latency from intended send time to answer. `answeredAtMs[i]` is when request i was answered (ms
 * after the start), NaN for one never answered (counted elsewhere as an error, left out here).
 */
export function correctedLatencies(schedule: Schedule, answeredAtMs: ArrayLike<number>): CorrectedLatencies {
  const latencies: number[] = [];
  for (let i = 0; i < answeredAtMs.length; i++) {
    const answered = answeredAtMs[i] as number;
    if (!Number.isNaN(answered)) latencies.push(answered - intendedSendMs(schedule, i));
  }
  latencies.sort((a, b) => a - b);
  return {
    answered: latencies.length,
    p50: nearestRank(latencies, 0.5),
    p99: nearestRank(latencies, 0.99),
    p999: nearestRank(latencies, 0.999),
    max: latencies.at(-1) ?? Number.NaN,
  };
}
