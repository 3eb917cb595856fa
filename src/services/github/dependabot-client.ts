import { DredgeError } from '../errors.js';

/** The parts of a Dependabot alert DREDGE reads; GitHub sends more, which is passed through untouched. */
export interface DependabotAlert {
  readonly number?: number;
  readonly state?: string;
  readonly created_at?: string;
  readonly dismissed_reason?: string | null;
  readonly dismissed_comment?: string | null;
  readonly dismissed_at?: string | null;
  readonly dismissed_by?: { readonly login?: string } | null;
  readonly security_advisory?: {
    readonly summary?: string;
    readonly description?: string;
    readonly severity?: string;
    readonly cvss?: { readonly score?: number | string | null } | null;
  } | null;
  readonly security_vulnerability?: {
    readonly package?: { readonly name?: string } | null;
    readonly vulnerable_version_range?: string;
    readonly first_patched_version?: { readonly identifier?: string } | null;
  } | null;
  readonly [field: string]: unknown;
}

export interface AlertUpdate {
  readonly state: 'dismissed' | 'open';
  readonly dismissed_reason?: string;
  readonly dismissed_comment?: string;
}

export interface DependabotClientOptions {
  /** GitHub's REST API root (GITHUB_API_URL). */
  readonly apiUrl: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
}

/** What a failed call was doing, for the sentence the client gets. */
type Action = 'list' | 'get' | 'update';

/**
 * GitHub's Dependabot alerts REST API: list, get and update an alert of one repository. Each answer GitHub gives
 * (404, 403, 422, another status, no answer in time) becomes a DredgeError with the original's sentence; the
 * token is sent only in the Authorization header and never appears in an error or a log.
 */
export class DependabotClient {
  constructor(private readonly options: DependabotClientOptions) {}

  get configured(): boolean {
    return this.options.token !== undefined;
  }

  async listAlerts(owner: string, repo: string): Promise<DependabotAlert[]> {
    const alerts = await this.call('list', `/repos/${owner}/${repo}/dependabot/alerts`, undefined);
    if (!Array.isArray(alerts))
      throw new DredgeError(
        'unavailable',
        'The GitHub API answered with something other than a list of alerts.',
      );
    return alerts as DependabotAlert[];
  }

  async getAlert(owner: string, repo: string, alertId: number): Promise<DependabotAlert> {
    return this.call('get', `/repos/${owner}/${repo}/dependabot/alerts/${alertId}`, undefined, alertId);
  }

  async updateAlert(
    owner: string,
    repo: string,
    alertId: number,
    update: AlertUpdate,
  ): Promise<DependabotAlert> {
    return this.call('update', `/repos/${owner}/${repo}/dependabot/alerts/${alertId}`, update, alertId);
  }

  private async call(
    action: Action,
    path: string,
    body: AlertUpdate | undefined,
    alertId?: number,
  ): Promise<DependabotAlert> {
    const token = this.options.token;
    if (token === undefined)
      throw new DredgeError('unavailable', 'GITHUB_TOKEN not set', { retryable: false });
    let response: Response;
    try {
      response = await fetch(`${this.options.apiUrl.replace(/\/+$/, '')}${path}`, {
        method: body === undefined ? 'GET' : 'PATCH',
        headers: {
          authorization: `token ${token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'dredge',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? `no answer within ${this.options.timeoutMs} ms`
          : 'could not connect';
      throw new DredgeError('unavailable', `Request to the GitHub API failed: ${reason}.`);
    }
    if (response.ok) {
      try {
        return (await response.json()) as DependabotAlert;
      } catch {
        throw new DredgeError('unavailable', 'The GitHub API answered with something that is not JSON.');
      }
    }
    await response.body?.cancel();
    throw failure(action, response.status, alertId);
  }
}

/** The original's sentences for GitHub's error answers. */
function failure(action: Action, status: number, alertId: number | undefined): DredgeError {
  switch (status) {
    case 404:
      return new DredgeError(
        'not_found',
        action === 'list'
          ? 'Repository not found or Dependabot alerts not enabled'
          : `Alert ${alertId} not found`,
      );
    case 401:
    case 403:
      return new DredgeError(
        'forbidden',
        action === 'update'
          ? "Access denied. Check token permissions (requires 'security_events' scope)."
          : 'Access denied. Check token permissions.',
      );
    case 422:
      return new DredgeError('invalid_input', 'Validation failed. Check parameters.');
    default:
      return new DredgeError('unavailable', `API error: ${status}`);
  }
}
