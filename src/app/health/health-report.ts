/** The outcome of one check: `warn` is shown but does not make DREDGE unhealthy. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface HealthReport {
  readonly status: 'healthy' | 'unhealthy';
  readonly version: string;
  readonly checks: readonly CheckResult[];
}

export function summarise(version: string, checks: readonly CheckResult[]): HealthReport {
  const status = checks.some((check) => check.status === 'fail') ? 'unhealthy' : 'healthy';
  return { status, version, checks };
}
