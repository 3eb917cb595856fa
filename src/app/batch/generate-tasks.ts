import { SeededRandom } from '../../core/index.js';
import type { BatchTask, TaskList } from './batch-task.js';

/** The original load test's five insights (dredge/batch_pipeline.py), in its order. */
export const GENERATED_INSIGHTS = [
  'Digital memory must be human-reachable',
  'Quantum coherence in neural networks',
  'String vibrations encode information',
  'Unified field theory emergence',
  'Spacetime curvature affects computation',
] as const;

/** Every REPEAT_EVERY-th task (after the first) repeats an earlier one, as the original's generator does. */
export const REPEAT_EVERY = 5;

/** Tasks per seed block: a task's own generator seed is `block · 2²⁰ + index`, which stays a safe integer. */
const INDEX_SPAN = 2 ** 20;

export interface GenerateOptions {
  /** Whether repeats are made (the original makes them only when caching is on). */
  readonly repeats: boolean;
  readonly seed: number;
}

/**
 * The original's load-test mix: `unified_inference` with insight `i mod 5`, string modes
 * `[1 + i mod 3, 2 + i mod 2, 3]`, and three Quasimoto coordinates; with repeats, task i (i a positive multiple
 * of 5) repeats task i / 5 exactly, so that a fifth of the tasks can be answered from the cache.
 *
 * One deliberate difference: the original's coordinates were `0.1·(i mod 10), 0.2·(i mod 5), 0.3·(i mod 3)`,
 * which makes every task equal to the one 30 places earlier, so its "20 %" hit rate was really 75 % on 100
 * tasks. Here the coordinates are drawn by the seeded generator (uniform on the original's ranges, [0, 0.9),
 * [0, 0.8) and [0, 0.6)), so only the deliberate repeats hit, and the same seed gives the same tasks.
 *
 * Tasks are made when asked for, each from a generator of its own (seeded by the run's seed and its index),
 * so a million-task run holds no list of a million tasks (about 300 MB).
 */
export class GeneratedTasks implements TaskList {
  private readonly block: number;

  constructor(
    readonly length: number,
    private readonly options: GenerateOptions,
  ) {
    // A 32-bit block from the seed, so that every seed (up to 2⁵³) gives its own per-task seeds.
    this.block = new SeededRandom(options.seed).nextUint32();
    if (length > INDEX_SPAN) throw new RangeError(`at most ${INDEX_SPAN} generated tasks`);
  }

  at(index: number): BatchTask | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const id = `task_${String(index).padStart(4, '0')}`;
    if (this.options.repeats && index > 0 && index % REPEAT_EVERY === 0) {
      const earlier = this.at(index / REPEAT_EVERY) as BatchTask;
      return { ...earlier, id: `${id}_repeat` };
    }
    const random = new SeededRandom(this.block * INDEX_SPAN + index);
    return {
      id,
      operation: 'unified_inference',
      params: {
        dredge_insight: GENERATED_INSIGHTS[index % GENERATED_INSIGHTS.length],
        quasimoto_coords: [
          random.uniformRange(0, 0.9),
          random.uniformRange(0, 0.8),
          random.uniformRange(0, 0.6),
        ],
        string_modes: [1 + (index % 3), 2 + (index % 2), 3],
      },
    };
  }
}

/** The first `count` generated tasks as an array (for tests and small runs). */
export function generateTasks(count: number, options: GenerateOptions): BatchTask[] {
  const tasks = new GeneratedTasks(count, options);
  return Array.from({ length: count }, (_, index) => tasks.at(index) as BatchTask);
}
