import { describe, expect, it } from 'vitest';
import {
  GENERATED_INSIGHTS,
  GeneratedTasks,
  generateTasks,
  type BatchTask,
} from '../../../src/app/batch/index.js';

function params(task: BatchTask) {
  return task.params as { dredge_insight: string; quasimoto_coords: number[]; string_modes: number[] };
}

describe('the generated task mix', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = generateTasks(200, { repeats: true, seed: 7 });
    expect(generateTasks(200, { repeats: true, seed: 7 })).toEqual(a);
    const b = generateTasks(200, { repeats: true, seed: 8 });
    expect(params(b[1]!).quasimoto_coords).not.toEqual(params(a[1]!).quasimoto_coords);
    // Seeds beyond 32 bits are seeds too.
    const big = generateTasks(3, { repeats: false, seed: 2 ** 40 + 7 });
    expect(params(big[1]!).quasimoto_coords).not.toEqual(
      params(generateTasks(3, { repeats: false, seed: 7 })[1]!).quasimoto_coords,
    );
  });

  it("follows the original's insights, modes and coordinate ranges", () => {
    const tasks = generateTasks(60, { repeats: false, seed: 1 });
    tasks.forEach((task, i) => {
      expect(task.id).toBe(`task_${String(i).padStart(4, '0')}`);
      expect(task.operation).toBe('unified_inference');
      const { dredge_insight, quasimoto_coords, string_modes } = params(task);
      expect(dredge_insight).toBe(GENERATED_INSIGHTS[i % 5]);
      expect(string_modes).toEqual([1 + (i % 3), 2 + (i % 2), 3]);
      expect(quasimoto_coords).toHaveLength(3);
      [0.9, 0.8, 0.6].forEach((limit, axis) => {
        expect(quasimoto_coords[axis]).toBeGreaterThanOrEqual(0);
        expect(quasimoto_coords[axis]).toBeLessThan(limit);
      });
    });
    expect(GENERATED_INSIGHTS[0]).toBe('Digital memory must be human-reachable');
  });

  it('makes every fifth task (after the first) a copy of task i / 5 when repeats are on', () => {
    const tasks = generateTasks(100, { repeats: true, seed: 3 });
    for (let i = 5; i < 100; i += 5) {
      expect(tasks[i]!.id).toBe(`task_${String(i).padStart(4, '0')}_repeat`);
      expect(tasks[i]!.params).toEqual(tasks[i / 5]!.params);
    }
    const distinct = new Set(tasks.map((task) => JSON.stringify(task.params)));
    expect(distinct.size).toBe(100 - 19);
  });

  it('makes no two tasks alike without repeats', () => {
    const tasks = generateTasks(5000, { repeats: false, seed: 3 });
    expect(new Set(tasks.map((task) => JSON.stringify(task.params))).size).toBe(5000);
    expect(tasks.some((task) => task.id.endsWith('_repeat'))).toBe(false);
  });

  it('makes each task on demand, the same as the whole list', () => {
    const lazy = new GeneratedTasks(1_000_000, { repeats: true, seed: 11 });
    const listed = generateTasks(50, { repeats: true, seed: 11 });
    for (let i = 0; i < 50; i++) expect(lazy.at(i)).toEqual(listed[i]);
    expect(lazy.at(999_999)?.id).toBe('task_999999');
    expect(lazy.at(1_000_000)).toBeUndefined();
    expect(lazy.at(-1)).toBeUndefined();
  });
});
