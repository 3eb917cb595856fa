import { DredgeError } from '../errors.js';
import { readCappedJson } from './capped-body.js';
import { nextLink } from './link-header.js';

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
  /** How long one call may take, a list's pages together. */
  readonly timeoutMs: number;
  /** GITHUB_MAX_ALERTS: the most alerts a list reads. */
  readonly maxAlerts: number;
  /** GITHUB_MAX_RESPONSE_BYTES: the most bytes read of one answer. */
  readonly maxResponseBytes: number;
}

/** A repository's alerts, and whether more were left unread at GITHUB_MAX_ALERTS. */
export interface AlertList {
  readonly alerts: DependabotAlert[];
  readonly truncated: boolean;
}

/** GitHub's largest page: the fewest requests for a list. */
const PAGE_SIZE = 100;

/** What a failed call was doing, for the sentence the client gets. */
type Action = 'list' | 'get' | 'update';

/**
 * GitHub's Dependabot alerts REST API: list, get and update an alert of one repository. Each answer GitHub gives
 * (404, 403, 422, another status, no answer in time) becomes a DredgeError with the original's sentence; the
 * token is sent only in the Authorization header, only to GITHUB_API_URL's origin, and never appears in an error
 * or a log. No answer is read beyond GITHUB_MAX_RESPONSE_BYTES.
 */
export class DependabotClient {
  private readonly root: string;
  private readonly origin: string;

  constructor(private readonly options: DependabotClientOptions) {
    this.root = options.apiUrl.replace(/\/+$/, '');
    this.origin = new URL(options.apiUrl).origin;
  }

  get configured(): boolean {
    return this.options.token !== undefined;
  }

  /**
   * The repository's alerts, page after page (100 a page, following GitHub's `Link: <…>; rel="next"`) until the
   * last page or GITHUB_MAX_ALERTS, whichever comes first: at most ⌈GITHUB_MAX_ALERTS / 100⌉ requests, all within
   * one deadline. A next page on another origin than GITHUB_API_URL's is refused (502), never sent the token.
   */
  async listAlerts(owner: string, repo: string): Promise<AlertList> {
    const { maxAlerts } = this.options;
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const alerts: DependabotAlert[] = [];
    let url: string | undefined =
      `${this.root}/repos/${owner}/${repo}/dependabot/alerts?per_page=${PAGE_SIZE}`;
    for (let pages = Math.ceil(maxAlerts / PAGE_SIZE); url !== undefined && pages > 0; pages--) {
      const { body, next } = await this.call('list', url, undefined, deadline);
      if (!Array.isArray(body))
        throw new DredgeError(
          'unavailable',
          'The GitHub API answered with something other than a list of alerts.',
        );
      for (const alert of body as DependabotAlert[]) {
        if (alerts.length === maxAlerts) return { alerts, truncated: true };
        alerts.push(alert);
      }
      url = next === undefined ? undefined : this.sameOrigin(next);
    }
    return { alerts, truncated: url !== undefined };
  }

  async getAlert(owner: string, repo: string, alertId: number): Promise<DependabotAlert> {
    const url = `${this.root}/repos/${owner}/${repo}/dependabot/alerts/${alertId}`;
    const { body } = await this.call(
      'get',
      url,
      undefined,
      AbortSignal.timeout(this.options.timeoutMs),
      alertId,
    );
    return body as DependabotAlert;
  }

  async updateAlert(
    owner: string,
    repo: string,
    alertId: number,
    update: AlertUpdate,
  ): Promise<DependabotAlert> {
    const url = `${this.root}/repos/${owner}/${repo}/dependabot/alerts/${alertId}`;
    const { body } = await this.call(
      'update',
      url,
      update,
      AbortSignal.timeout(this.options.timeoutMs),
      alertId,
    );
    return body as DependabotAlert;
  }

  /** A next page's URL, if it is on GITHUB_API_URL's origin (the token goes with it). */
  private sameOrigin(link: string): string {
    let url: URL | undefined;
    try {
      url = new URL(link, this.root);
    } catch {
      url = undefined;
    }
    if (url?.origin !== this.origin)
      throw new DredgeError(
        'upstream',
        `The GitHub API's next page (its Link header) is not on GITHUB_API_URL's origin, ${this.origin}; it was not followed.`,
      );
    return url.href;
  }

  private async call(
    action: Action,
    url: string,
    body: AlertUpdate | undefined,
    deadline: AbortSignal,
    alertId?: number,
  ): Promise<{ body: unknown; next: string | undefined }> {
    const token = this.options.token;
    if (token === undefined)
      throw new DredgeError('unavailable', 'GITHUB_TOKEN not set', { retryable: false });
    try {
      const response = await fetch(url, {
        method: body === undefined ? 'GET' : 'PATCH',
        headers: {
          authorization: `token ${token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'dredge',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: deadline,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw failure(action, response.status, alertId);
      }
      return {
        body: await readCappedJson(response, this.options.maxResponseBytes),
        next: nextLink(response.headers.get('link')),
      };
    } catch (error) {
      if (error instanceof DredgeError) throw error;
      const reason =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? `no answer within ${this.options.timeoutMs} ms`
          : 'could not connect';
      throw new DredgeError('unavailable', `Request to the GitHub API failed: ${reason}.`);
    }
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
