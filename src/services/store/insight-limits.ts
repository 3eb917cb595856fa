import { DredgeError } from '../errors.js';

/** The insight store stays bounded: at most this many insights, with at most this many bytes of text in all. */
export interface InsightLimits {
  /** MAX_INSIGHTS. */
  readonly maxInsights: number;
  /** MAX_INSIGHT_BYTES: UTF-8 bytes of the texts together. */
  readonly maxBytes: number;
}

/** How many insights a store holds, and the UTF-8 bytes of their texts. */
export interface InsightTotals {
  readonly insights: number;
  readonly bytes: number;
}

/**
 * Refuses, with `too_large` (413) and the sentence every backend gives, a new insight of `adding` bytes that would
 * not fit beside `totals`. Only new texts are checked: lifting a text already kept answers its record, full or not.
 */
export function admitInsight(limits: InsightLimits, totals: InsightTotals, adding: number): void {
  if (totals.insights >= limits.maxInsights) throw insightStoreFull(limits);
  if (totals.bytes + adding > limits.maxBytes) throw insightBytesFull(limits, totals.bytes, adding);
}

export function insightStoreFull(limits: InsightLimits): DredgeError {
  return new DredgeError(
    'too_large',
    `The insight store is full (${limits.maxInsights} insights, MAX_INSIGHTS): delete an insight first.`,
  );
}

export function insightBytesFull(limits: InsightLimits, bytes: number, adding: number): DredgeError {
  return new DredgeError(
    'too_large',
    `The insight store has room for ${Math.max(0, limits.maxBytes - bytes)} more bytes of text ` +
      `(MAX_INSIGHT_BYTES), and this insight has ${adding}: delete an insight first.`,
  );
}
