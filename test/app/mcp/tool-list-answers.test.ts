import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';
import type { Tool } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogue } from '../../../src/app/operations/index.js';
import { fakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';
import { postOperation, startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/**
 * Every tool's answer against the output schema the tool list publishes, so that the two cannot drift: each
 * operation is called with valid input, on every path its answer can take (computed here or written on a compute
 * thread, from the cache or not, a string_theory model's extra fields, a trained model's fit), through MCP (the v2
 * SDK's client, which checks structured content against the schema itself too) and through the JSON API, whose
 * body is the same answer. The Dependabot tools talk to a local server that answers as GitHub's REST API does.
 */

const OPERATIONS = createCatalogue().names;

/** GitHub's answer for one alert, as its REST API sends it (abridged). */
const ALERT = {
  number: 7,
  state: 'open',
  created_at: '2026-01-02T03:04:05Z',
  html_url: 'https://github.com/acme/app/security/dependabot/7',
  security_advisory: {
    summary: 'Prototype pollution in foo',
    description: 'foo lets attackers change Object.prototype.',
    severity: 'high',
    cvss: { score: 7.5 },
  },
  security_vulnerability: {
    package: { name: 'foo', ecosystem: 'npm' },
    vulnerable_version_range: '< 1.2.3',
    first_patched_version: { identifier: '1.2.3' },
  },
};

type Answer = Record<string, unknown>;
type Call = (name: string, args?: Record<string, unknown>) => Promise<Answer>;

/**
 * Calls every operation, each on the paths its answer can take, through `call`; answers are checked by `call`.
 * Rows of 4,000 and a 19,000-parameter network take inference and get_parameters past COMPUTE_INLINE_WORK (1e6),
 * where the answer is written as JSON on a compute thread.
 */
async function callEveryOperation(call: Call): Promise<void> {
  await call('list_capabilities');
  const wave = (await call('load_model', { model_type: 'quasimoto_1d', config: { seed: 1 } })).model_id;
  const ensemble = (await call('load_model', { model_type: 'quasimoto_ensemble', config: { n_waves: 2 } }))
    .model_id;
  const network = (
    await call('load_model', {
      model_type: 'string_theory',
      config: { seed: 2, hidden_size: 128, num_layers: 2 },
    })
  ).model_id;
  const basis = (
    await call('load_model', {
      model_type: 'quasimoto_interference_basis',
      config: { dim: 2, out_features: 2 },
    })
  ).model_id;
  for (let twice = 0; twice < 2; twice++) {
    await call('inference', { model_id: wave, inputs: { x: [0, 0.5, 1], t: [0] } });
  }
  await call('inference', {
    model_id: wave,
    inputs: { x: Array.from({ length: 4000 }, (_, i) => i / 4000) },
  });
  await call('inference', { model_id: ensemble, inputs: { x: [0.25, 0.75] } });
  await call('inference', {
    model_id: network,
    inputs: { x: [Array.from({ length: 10 }, (_, i) => i / 10)] },
  });
  await call('inference', { model_id: basis, inputs: { x: [[0.1, 0.2]], t: [0.5] } });
  await call('get_parameters', { model_id: wave });
  await call('get_parameters', { model_id: network });
  await call('benchmark', { model_type: 'quasimoto_1d', config: { epochs: 3 } });
  await call('model_fit', { model_id: wave, points: 10 });
  await call('train', { model_id: wave, epochs: 3, lr: 0.01 });
  await call('model_fit', { model_id: wave, points: 10 });
  await call('list_model_versions', { model_id: wave });
  await call('rollback_model', { model_id: wave, version: 0 });
  await call('quantize_model', { model_id: ensemble, granularity: 'per_tensor' });
  await call('prune_model', { model_id: network, sparsity: 0.5, fine_tune_epochs: 1 });
  const exported = await call('export_model', { model_id: network });
  await call('import_model', { bundle: exported.bundle });
  await call('string_spectrum', { max_modes: 3 });
  await call('string_parameters', { energy_scale: 2, coupling_constant: 0.5 });
  for (let twice = 0; twice < 2; twice++) await call('unified_inference', { dredge_insight: 'checked' });
  await call('get_metrics');
  await call('get_cache_stats');
  await call('get_traces', { limit: 20 });
  await call('list_models');
  await call('get_queue_stats');
  const task = (await call('submit_task', { operation: 'string_spectrum', params: { max_modes: 2 } }))
    .task_id;
  await expect.poll(async () => (await call('get_task', { task_id: task })).status).toBe('completed');
  await call('cancel_task', { task_id: task });
  const repository = { repo_owner: 'acme', repo_name: 'app' };
  await call('get_dependabot_alerts', repository);
  await call('explain_dependabot_alert', { ...repository, alert_id: 7 });
  await call('update_dependabot_alert', {
    ...repository,
    alert_id: 7,
    state: 'dismissed',
    dismissed_reason: 'tolerable_risk',
    dismissed_comment: 'Not reachable from our code',
  });
  await call('update_dependabot_alert', { ...repository, alert_id: 7, state: 'open' });
  await call('delete_model', { model_id: ensemble });
}

describe('every tool’s answer matches the output schema the tool list publishes', () => {
  let github: FakeGitHub;
  let server: RunningMcpServer;
  let client: Client;
  let tools: Tool[];
  const validator = new AjvJsonSchemaValidator();

  /** Checks an answer against the tool's published output schema; remembers which tools were checked. */
  function checker(): { check(name: string, answer: Answer): Answer; checked: Set<string> } {
    const checked = new Set<string>();
    return {
      checked,
      check(name, answer) {
        const tool = tools.find((candidate) => candidate.name === name);
        if (!tool?.outputSchema) throw new Error(`${name} publishes no output schema`);
        const result = validator.getValidator(tool.outputSchema as never)(answer);
        expect(result.valid, `${name}: ${result.errorMessage}\n${JSON.stringify(answer).slice(0, 400)}`).toBe(
          true,
        );
        checked.add(name);
        return answer;
      },
    };
  }

  beforeAll(async () => {
    github = await fakeGitHub({ alert: ALERT });
    server = await startMcpServer({
      GITHUB_TOKEN: 'ghp_test_token',
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORIES: 'acme/app',
    });
    client = new Client({ name: 'dredge-output-schemas', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/protocol`)));
    ({ tools } = await client.listTools());
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await github?.close();
  });

  it('over MCP: every structured result, as the v2 client receives it', async () => {
    const { check, checked } = checker();
    await callEveryOperation(async (name, args = {}) => {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
      const text = (result.content[0] as { type: 'text'; text: string }).text;
      expect(JSON.parse(text), name).toEqual(result.structuredContent);
      return check(name, result.structuredContent as Answer);
    });
    expect([...checked].sort()).toEqual([...OPERATIONS].sort());
  });

  it('over the JSON API: every body of POST /mcp', async () => {
    const { check, checked } = checker();
    await callEveryOperation(async (name, args = {}) => {
      const { status, body } = await postOperation(server.url, name, args);
      expect(status, `${name}: ${JSON.stringify(body)}`).toBe(200);
      return check(name, body);
    });
    expect([...checked].sort()).toEqual([...OPERATIONS].sort());
  });

  it('refuses an answer that lost a field or gained one: the schemas are not vacuous', async () => {
    const { check } = checker();
    const { body } = await postOperation(server.url, 'list_models', {});
    const { count: _count, ...lost } = body;
    expect(() => check('list_models', lost)).toThrow();
    expect(() => check('list_models', { ...body, extra: true })).toThrow();
    expect(check('list_models', body)).toBe(body);
  });
});
