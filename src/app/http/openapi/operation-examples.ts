/**
 * One example of each operation's params, as the document shows it beside `POST /mcp`'s body (a test checks each
 * against its operation's input schema, and that no operation lacks one). The ids are of the shapes the server
 * makes: `quasimoto_1d_0` is the first model loaded in the default tenant.
 */
export const OPERATION_EXAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  list_capabilities: {},
  load_model: { model_type: 'quasimoto_1d', config: { seed: 7 } },
  inference: { model_id: 'quasimoto_1d_0', inputs: { x: [0, 0.25, 0.5, 0.75, 1], t: [0] } },
  get_parameters: { model_id: 'quasimoto_1d_0' },
  benchmark: { model_type: 'quasimoto_ensemble', config: { n_waves: 8, epochs: 100 } },
  string_spectrum: { max_modes: 10, dimensions: 10 },
  string_parameters: { energy_scale: 1, coupling_constant: 0.1 },
  unified_inference: {
    dredge_insight: 'Memory patterns',
    quasimoto_coords: [0.5, 0.3, 0.8],
    string_modes: [1, 2, 3],
  },
  get_metrics: {},
  get_cache_stats: {},
  get_dependabot_alerts: { repo_owner: 'QueenFi703', repo_name: 'DREDGE-Cli' },
  explain_dependabot_alert: { alert_id: 1 },
  update_dependabot_alert: {
    alert_id: 1,
    state: 'dismissed',
    dismissed_reason: 'tolerable_risk',
    dismissed_comment: 'Only reachable from the test suite.',
  },
  list_models: {},
  delete_model: { model_id: 'quasimoto_1d_0' },
  train: { model_id: 'quasimoto_1d_0', dataset: 'chirp_1d', epochs: 400, lr: 0.02 },
  get_traces: { limit: 50 },
  submit_task: { operation: 'train', params: { model_id: 'quasimoto_1d_0', epochs: 1000 }, attempts: 3 },
  get_task: { task_id: '3f0c5d2e-8a41-4b6f-9d3c-2e7a1b0c9f84' },
  cancel_task: { task_id: '3f0c5d2e-8a41-4b6f-9d3c-2e7a1b0c9f84' },
  get_queue_stats: {},
  model_fit: { model_id: 'quasimoto_1d_0', points: 500 },
  export_model: { model_id: 'quasimoto_1d_0' },
  list_model_versions: { model_id: 'quasimoto_1d_0' },
  rollback_model: { model_id: 'quasimoto_1d_0', version: 400 },
  quantize_model: { model_id: 'string_theory_0', granularity: 'per_channel' },
  prune_model: { model_id: 'string_theory_0', sparsity: 0.5, fine_tune_epochs: 20 },
  import_model: { bundle: 'RFJFREdFTUIBAAAA…' },
};
