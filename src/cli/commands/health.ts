import type { Command } from 'commander';
import type { CheckStatus } from '../../app/health/health-report.js';
import { CliExit, writeLine } from '../io.js';
import type { CliContext } from '../context.js';
import { startSpinner } from '../spinner.js';

const MARKS: Record<CheckStatus, string> = { pass: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function registerHealthCommand(program: Command, context: () => CliContext): void {
  program
    .command('health')
    .description('check the runtime, the configuration and every dependency it names; exit 1 when unhealthy')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      const spinner = startSpinner(ctx.io.stderr, 'checking…', ctx.spinnerEnabled);
      // The checks (and the Redis client some of them need) load only when asked for.
      const { runHealthChecks } = await import('../../app/health/run-health-checks.js');
      const report = await runHealthChecks(ctx.configOptions).finally(() => spinner.stop());
      if (options.json) {
        writeLine(ctx.io.stdout, JSON.stringify(report, null, 2));
      } else {
        writeLine(ctx.io.stdout, `DREDGE ${report.version}: ${report.status}`);
        for (const check of report.checks) {
          writeLine(ctx.io.stdout, `  ${MARKS[check.status]}  ${check.name}: ${check.detail}`);
        }
      }
      if (report.status !== 'healthy') throw new CliExit(1);
    });
}
