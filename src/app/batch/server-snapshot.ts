import type { ServerSnapshot } from './batch-runner.js';

/**
 * The snapshot from the answers of `get_metrics` and `get_cache_stats`, however they were asked (in process,
 * over HTTP, as queued tasks). A failed question is reported in `problem`, never thrown: the run's own figures
 * matter more than the server's.
 */
export async function snapshotFromAnswers(
  source: string,
  ask: (operation: 'get_metrics' | 'get_cache_stats') => Promise<unknown>,
): Promise<ServerSnapshot> {
  const problems: string[] = [];
  const attempt = async <T>(
    operation: 'get_metrics' | 'get_cache_stats',
    pick: (answer: unknown) => T | null,
  ) => {
    try {
      const picked = pick(await ask(operation));
      if (picked === null) problems.push(`${operation} answered in an unexpected shape`);
      return picked;
    } catch (error) {
      problems.push(`${operation} failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  const metricsCounters = await attempt('get_metrics', (answer) => {
    const counters = field(field(answer, 'metrics'), 'counters');
    return isRecord(counters) ? (counters as Record<string, number>) : null;
  });
  const cacheStats = await attempt('get_cache_stats', (answer) => {
    const stats = field(answer, 'cache_stats');
    return isRecord(stats) ? stats : null;
  });
  return {
    source,
    metricsCounters,
    cacheStats,
    ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
  };
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
