import { z } from 'zod';
import type { DependabotAlert } from '../../services/github/dependabot-client.js';
import { DredgeError } from '../../services/errors.js';
import { answer, count } from './answer.js';
import { READS_ONLY, defineOperation, fixedWork, type OperationEffects } from './operation.js';
import { boundedString, patternString, shownValue, wholeNumber, withOriginalWords } from './schema.js';

/** GitHub's own limits: owner names up to 39 characters, repository names up to 100. */
const owner = patternString(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 39, 'a GitHub user or organisation name');
const repo = patternString(/^[A-Za-z0-9._-]{1,100}$/, 100, 'a GitHub repository name');
const alertId = wholeNumber(1, 2_147_483_647).describe(
  'The alert’s number in the repository, as GitHub shows it (1 to 2147483647)',
);

/** The original's defaults: its own repository. */
const DEFAULT_OWNER = 'QueenFi703';
const DEFAULT_REPO = 'DREDGE-Cli';

const repository = {
  repo_owner: owner
    .default(DEFAULT_OWNER)
    .describe('The GitHub user or organisation that owns the repository (at most 39 characters)'),
  repo_name: repo.default(DEFAULT_REPO).describe('The repository’s name (at most 100 characters)'),
};

/** Reads GitHub. */
const READS_GITHUB: OperationEffects = { ...READS_ONLY, openWorld: true };

const repositoryOut = {
  repo_owner: z.string().describe('The repository’s owner, as given'),
  repo_name: z.string().describe('The repository’s name, as given'),
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
  title: 'List Dependabot alerts',
  scope: 'github',
  effects: READS_GITHUB,
  description:
    "List a GitHub repository's Dependabot security alerts (needs GITHUB_TOKEN), at most GITHUB_MAX_ALERTS of them (`truncated` says when there were more).",
  input: z.object(repository),
  output: answer({
    alerts: z
      .array(z.record(z.string(), z.unknown()))
      .describe(
        'The alerts as GitHub sends them, untouched (number, state, security_advisory, security_vulnerability, …)',
      ),
    count: count('How many alerts are in alerts'),
    ...repositoryOut,
    truncated: z
      .boolean()
      .describe('Whether the repository had more alerts than GITHUB_MAX_ALERTS, the first kept'),
  }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, { services }) {
    const { alerts, truncated } = await services.dependabot.listAlerts(input.repo_owner, input.repo_name);
    return {
      alerts,
      count: alerts.length,
      repo_owner: input.repo_owner,
      repo_name: input.repo_name,
      // More alerts than GITHUB_MAX_ALERTS: `alerts` holds the first ones.
      truncated,
    };
  },
});

export const explainDependabotAlert = defineOperation({
  name: 'explain_dependabot_alert',
  title: 'Explain a Dependabot alert',
  scope: 'github',
  effects: READS_GITHUB,
  description:
    'Explain one Dependabot alert in plain words, with a recommendation from its severity and CVSS score.',
  input: z.object({ alert_id: alertId, ...repository }),
  output: answer({
    alert_id: count('The alert’s number'),
    explanation: z
      .string()
      .describe('The alert in plain words: summary, package, severity, versions, description'),
    recommendation: z
      .string()
      .describe(
        'What to do, from the severity, or the CVSS score where it says more (critical ≥ 9, high ≥ 7, …)',
      ),
    details: z
      .object({
        package: z.string().describe('The vulnerable package'),
        severity: z.string().describe('GitHub’s severity (low, medium, high, critical), or unknown'),
        cvss_score: z.union([z.number(), z.string()]).describe('The CVSS score, or N/A'),
        state: z.string().describe('The alert’s state (open, dismissed, fixed, auto_dismissed)'),
        vulnerable_version: z.string().describe('The vulnerable version range'),
        patched_version: z.string().describe('The first patched version, or No patch available'),
        summary: z.string().describe('The advisory’s summary'),
      })
      .describe('The alert’s facts, one by one'),
  }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, { services }) {
    const alert = await services.dependabot.getAlert(input.repo_owner, input.repo_name, input.alert_id);
    return explain(input.alert_id, alert);
  },
});

export const updateDependabotAlert = defineOperation({
  name: 'update_dependabot_alert',
  title: 'Dismiss or reopen a Dependabot alert',
  scope: 'admin',
  // Overwrites the alert's state and dismissal on GitHub; the same update again changes nothing more.
  effects: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
  description:
    "Dismiss a Dependabot alert (with a reason) or reopen it. Needs a token with the 'security_events' scope.",
  input: z
    .object({
      alert_id: alertId,
      // Checked below with the original's sentences; the JSON Schema shows the values that pass.
      state: boundedString(64).meta({
        enum: ['dismissed', 'open'],
        description: 'dismissed to dismiss the alert, open to reopen it',
      }),
      dismissed_reason: boundedString(64)
        .optional()
        .meta({
          enum: [...DISMISSED_REASONS],
          description: 'Why it is dismissed: required when state is dismissed',
        }),
      dismissed_comment: boundedString(280)
        .optional()
        .describe('A note kept with the dismissal (at most 280 characters)'),
      ...repository,
    })
    .superRefine((input, issues) => {
      // The original's checks in its order, each sentence starting with its words (its clients match on them).
      const reasons = `must be one of ${DISMISSED_REASONS.join(', ')}`;
      if (input.state !== 'dismissed' && input.state !== 'open') {
        issues.addIssue({
          code: 'custom',
          path: ['state'],
          message: withOriginalWords(
            `Invalid state: ${shownValue(input.state)}`,
            "must be 'dismissed' or 'open'",
          ),
        });
      } else if (input.state === 'dismissed' && !input.dismissed_reason) {
        issues.addIssue({
          code: 'custom',
          path: ['dismissed_reason'],
          message: withOriginalWords("dismissed_reason is required when state is 'dismissed'", reasons),
        });
      } else if (
        input.state === 'dismissed' &&
        !(DISMISSED_REASONS as readonly string[]).includes(input.dismissed_reason ?? '')
      ) {
        issues.addIssue({
          code: 'custom',
          path: ['dismissed_reason'],
          message: withOriginalWords(
            `Invalid dismissed_reason: ${shownValue(input.dismissed_reason)}`,
            reasons,
          ),
        });
      }
    }),
  output: answer({
    alert_id: count('The alert’s number'),
    state: z.string().nullable().describe('Its state now, as GitHub answered (dismissed or open)'),
    dismissed_reason: z.string().nullable().describe('Why it is dismissed; null when open'),
    dismissed_comment: z.string().nullable().describe('The note kept with the dismissal; null if none'),
    dismissed_by: z.string().nullable().describe('The GitHub login that dismissed it; null when open'),
    dismissed_at: z.string().nullable().describe('When it was dismissed, ISO 8601; null when open'),
    message: z.string().describe('Alert <id> successfully updated to <state>'),
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
