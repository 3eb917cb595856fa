import type { CheckResult } from './health-report.js';

/**
 * The oldest Node.js DREDGE runs on: package.json's `engines` (`>=22.14`); a test keeps the two equal. 22.14 is the
 * first release whose Node-API better-sqlite3 13's prebuilt binary needs: on 22.12 and 22.13 it crashes the process.
 */
export const MINIMUM_NODE = { major: 22, minor: 14 } as const;

/**
 * The last day of support of each Node.js release line (nodejs.org/en/about/previous-releases). Even lines are
 * LTS, three years; odd lines end about six months after their release. A line missing here is newer than this
 * table, so it is taken as supported rather than warned about.
 */
const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  20: '2026-04-30',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
};

/**
 * Below the engines floor is a failure: DREDGE may not start. Past its end of life is only a warning: everything
 * still works, but the runtime no longer gets security fixes. `today` is injectable so tests need no clock.
 */
export function checkRuntime(
  nodeVersion: string = process.versions.node,
  today: Date = new Date(),
): CheckResult {
  const [major = Number.NaN, minor = 0] = nodeVersion.split('.').map(Number);
  const floor = `${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}`;
  if (!(major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor))) {
    return {
      name: 'runtime',
      status: 'fail',
      detail: `Node.js ${nodeVersion}; DREDGE needs ${floor} or later`,
    };
  }
  const endOfLife = NODE_END_OF_LIFE[major];
  // ISO dates compare as strings; support lasts through the end-of-life day itself (UTC).
  if (endOfLife !== undefined && today.toISOString().slice(0, 10) > endOfLife) {
    return {
      name: 'runtime',
      status: 'warn',
      detail: `Node.js ${nodeVersion}: the ${major}.x line reached its end of life on ${endOfLife} and gets no more security fixes; move to a supported line`,
    };
  }
  const until = endOfLife === undefined ? '' : ` (supported until ${endOfLife})`;
  return { name: 'runtime', status: 'pass', detail: `Node.js ${nodeVersion}${until}` };
}
