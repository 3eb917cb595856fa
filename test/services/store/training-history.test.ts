import { describe, expect, it } from 'vitest';
import {
  MAX_HISTORY_POINTS,
  parseTrainingHistory,
  trainingHistory,
} from '../../../src/services/store/training-history.js';

describe('trainingHistory', () => {
  it('keeps every epoch of a short training', () => {
    const history = trainingHistory('chirp_1d', [4, 3, 2, 1], new Date(0));
    expect(history).toEqual({
      dataset: 'chirp_1d',
      epochs: 4,
      initialLoss: 4,
      finalLoss: 1,
      lossEpochs: [1, 2, 3, 4],
      losses: [4, 3, 2, 1],
      trainedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(trainingHistory('chirp_1d', [7])).toMatchObject({ epochs: 1, lossEpochs: [1], losses: [7] });
  });

  it('thins a long one to evenly spaced epochs, the first and last kept, whatever its length', () => {
    for (const epochs of [501, 1000, 12_345, 100_000]) {
      const losses = Float64Array.from({ length: epochs }, (_, i) => epochs - i);
      const history = trainingHistory('grid_4d', losses);
      expect(history.losses.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
      expect(history.losses.length).toBeGreaterThan(MAX_HISTORY_POINTS - 2);
      expect(history.lossEpochs[0]).toBe(1);
      expect(history.lossEpochs.at(-1)).toBe(epochs);
      expect(history.lossEpochs.every((epoch, i) => i === 0 || epoch > history.lossEpochs[i - 1]!)).toBe(
        true,
      );
      history.lossEpochs.forEach((epoch, i) => expect(history.losses[i]).toBe(epochs - epoch + 1));
    }
  });

  it('writes a diverged loss as a finite number, since JSON has no NaN or Infinity', () => {
    const history = trainingHistory('chirp_1d', [1, Infinity, NaN]);
    expect(JSON.parse(JSON.stringify(history)).losses).toEqual([1, Number.MAX_VALUE, Number.MAX_VALUE]);
  });
});

describe('parseTrainingHistory', () => {
  it('reads what trainingHistory wrote, and reads anything malformed as no history', () => {
    const history = trainingHistory('chirp_1d', [3, 2, 1]);
    expect(parseTrainingHistory(JSON.stringify(history))).toEqual(history);
    for (const text of [
      null,
      undefined,
      '',
      '{',
      '[]',
      '{"dataset": 1}',
      JSON.stringify({ ...history, losses: [1] }),
    ]) {
      expect(parseTrainingHistory(text)).toBeUndefined();
    }
  });
});
