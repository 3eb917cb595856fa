import { z } from 'zod';
import type { DependabotAlert } from '../../services/github/dependabot-client.js';
import { DredgeError } from '../../services/errors.js';
import { defineOperation, fixedWork } from './operation.js';
import { boundedString, patternString, wholeNumber } from './schema.js';

/** GitHub's own limits: owner names up to 39 characters, repository names up to 100. */
const owner = patternString(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 39, 'a GitHub user or organisation name');
const repo = patternString(/^[A-Za-z0-9._-]{1,100}$/, 100, 'a GitHub repository name');
const alertId = wholeNumber(1, 2_147_483_647);

/** The original's defaults: its own repository. */
const DEFAULT_OWNER = 'QueenFi703';
const DEFAULT_REPO = 'DREDGE-Cli';

const repository = {
  repo_owner: owner.default(DEFAULT_OWNER),
  repo_name: repo.default(DEFAULT_REPO),
};

export const DISMISSED_REASONS = [
  'fix_started',
  'inaccurate',
  'no_bandwidth',
  'not_used',
  'tolerable_risk',
] as const;

export const getDependabotAlerts = defineOperation({
  name: 'get_dependabot_alerts',
  scope: 'github',
  description: "List a GitHub repository's Dependabot security alerts (needs GITHUB_TOKEN).",
  input: z.object(repository),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, { services }) {
    const alerts = await services.dependabot.listAlerts(input.repo_owner, input.repo_name);
    return { alerts, count: alerts.length, repo_owner: input.repo_owner, repo_name: input.repo_name };
  },
});

export const explainDependabotAlert = defineOperation({
  name: 'explain_dependabot_alert',
  scope: 'github',
  description:
    'Explain one Dependabot alert in plain words, with a recommendation from its severity and CVSS score.',
  input: z.object({ alert_id: alertId, ...repository }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, { services }) {
    const alert = await services.dependabot.getAlert(input.repo_owner, input.repo_name, input.alert_id);
    return explain(input.alert_id, alert);
  },
});

export const updateDependabotAlert = defineOperation({
  name: 'update_dependabot_alert',
  scope: 'admin',
  description:
    "Dismiss a Dependabot alert (with a reason) or reopen it. Needs a token with the 'security_events' scope.",
  input: z
    .object({
      alert_id: alertId,
      state: boundedString(64),
      dismissed_reason: boundedString(64).optional(),
      dismissed_comment: boundedString(280).optional(),
      ...repository,
    })
    .superRefine((input, issues) => {
      // The original's checks and sentences, in its order.
      if (input.state !== 'dismissed' && input.state !== 'open') {
        issues.addIssue({
          code: 'custom',
          path: ['state'],
          message: `must be 'dismissed' or 'open' (got ${input.state})`,
        });
      } else if (input.state === 'dismissed' && !input.dismissed_reason) {
        issues.addIssue({
          code: 'custom',
          path: ['dismissed_reason'],
          message: "must be given when state is 'dismissed'",
        });
      } else if (
        input.state === 'dismissed' &&
        !(DISMISSED_REASONS as readonly string[]).includes(input.dismissed_reason ?? '')
      ) {
        issues.addIssue({
          code: 'custom',
          path: ['dismissed_reason'],
          message: `must be one of ${DISMISSED_REASONS.join(', ')} (got ${input.dismissed_reason})`,
        });
      }
    }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, { services }) {
    const state = input.state as 'dismissed' | 'open';
    if (!services.dependabot.configured)
      throw new DredgeError('unavailable', 'GITHUB_TOKEN not set', { retryable: false });
    // The token may reach far more repositories than this server is meant to change: only the ones named.
    const repository = `${input.repo_owner}/${input.repo_name}`;
    const allowed = services.config.integrations.githubRepositories;
    if (!allowed.some((name) => name.toLowerCase() === repository.toLowerCase())) {
      throw new DredgeError(
        'forbidden',
        `update_dependabot_alert may change only the repositories in GITHUB_REPOSITORIES, and ${repository} is not one of them.`,
      );
    }
    const alert = await services.dependabot.updateAlert(input.repo_owner, input.repo_name, input.alert_id, {
      state,
      ...(state === 'dismissed' && input.dismissed_reason
        ? { dismissed_reason: input.dismissed_reason }
        : {}),
      ...(state === 'dismissed' && input.dismissed_comment
        ? { dismissed_comment: input.dismissed_comment }
        : {}),
    });
    return {
      alert_id: input.alert_id,
      state: alert.state ?? null,
      dismissed_reason: alert.dismissed_reason ?? null,
      dismissed_comment: alert.dismissed_comment ?? null,
      dismissed_by: alert.dismissed_by?.login ?? null,
      dismissed_at: alert.dismissed_at ?? null,
      message: `Alert ${input.alert_id} successfully updated to ${state}`,
    };
  },
});

function explain(id: number, alert: DependabotAlert) {
  const advisory = alert.security_advisory ?? {};
  const vulnerability = alert.security_vulnerability ?? {};
  const summary = advisory.summary ?? 'No summary available';
  const description = advisory.description ?? 'No description available';
  const severity = advisory.severity ?? 'unknown';
  const cvss = advisory.cvss?.score ?? 'N/A';
  const pkg = vulnerability.package?.name ?? 'Unknown package';
  const vulnerable = vulnerability.vulnerable_version_range ?? 'Unknown';
  const patched = vulnerability.first_patched_version?.identifier ?? 'No patch available';
  const state = alert.state ?? 'unknown';
  const explanation = [
    `Alert #${id}: ${summary}`,
    '',
    `Package: ${pkg}`,
    `Severity: ${severity.toUpperCase()} (CVSS Score: ${cvss})`,
    `State: ${state}`,
    `Vulnerable Version: ${vulnerable}`,
    `Patched Version: ${patched}`,
    `Created: ${alert.created_at ?? 'Unknown'}`,
    '',
    `Description: ${description}`,
  ].join('\n');
  return {
    alert_id: id,
    explanation,
    recommendation: recommendation(cvss, severity),
    details: {
      package: pkg,
      severity,
      cvss_score: cvss,
      state,
      vulnerable_version: vulnerable,
      patched_version: patched,
      summary,
    },
  };
}

/** By severity, or by CVSS score where the severity says less: critical or ≥ 9, high or ≥ 7, medium or ≥ 4, low. */
export function recommendation(cvss: number | string | null, severity: string): string {
  const parsed =
    typeof cvss === 'number' ? cvss : typeof cvss === 'string' ? Number.parseFloat(cvss) : Number.NaN;
  const score = Number.isFinite(parsed) && parsed !== 0 ? parsed : undefined;
  const level = severity.toLowerCase();
  if (level === 'critical' || (score !== undefined && score >= 9)) {
    return '⚠️ CRITICAL: Update immediately. This vulnerability poses a severe security risk.';
  }
  if (level === 'high' || (score !== undefined && score >= 7)) {
    return '⚠️ HIGH: Update as soon as possible. This is a significant security concern.';
  }
  if (level === 'medium' || (score !== undefined && score >= 4)) {
    return '⚡ MEDIUM: Plan to update in your next maintenance cycle.';
  }
  if (level === 'low') return 'ℹ️ LOW: Update when convenient. Consider including in routine updates.';
  return 'ℹ️ Review the vulnerability details and update if necessary.';
}
