import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';

/** Absolute path of an executable on PATH, or undefined. */
export function findBinary(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

/**
 * A describe block that needs an external binary. Locally a missing binary skips the block with a message;
 * under CI=true it fails, because CI is expected to install everything the suite needs.
 */
export function describeWithBinary(binary: string, title: string, body: () => void): void {
  const found = findBinary(binary) !== undefined;
  if (!found && process.env.CI === 'true') {
    throw new Error(`'${binary}' is not installed, and CI=true requires it (tests: ${title}).`);
  }
  if (!found) {
    console.warn(`skipping "${title}": '${binary}' is not installed`);
  }
  describe.skipIf(!found)(title, body);
}
