/**
 * What the client knows of the catalogue without importing it at run time, checked against the catalogue itself:
 * the operations' names, which of them change nothing, and the error codes.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createCatalogue } from '../../src/app/operations/index.js';
import type {
  OperationAnswer,
  OperationName,
  OperationParams,
  ServerErrorCode,
} from '../../src/client/index.js';
import { CODE_OF_STATUS } from '../../src/client/refusal.js';
import { SAFE_OPERATIONS } from '../../src/client/safe-operations.js';
import { ERROR_STATUS, type ErrorCode } from '../../src/services/errors.js';

/** Every name of the client's `Operations`, once: TypeScript refuses a missing or an extra one (`tsc`). */
const EVERY_OPERATION = {
  list_capabilities: true,
  load_model: true,
  inference: true,
  get_parameters: true,
  benchmark: true,
  string_spectrum: true,
  string_parameters: true,
  unified_inference: true,
  get_metrics: true,
  get_cache_stats: true,
  get_dependabot_alerts: true,
  explain_dependabot_alert: true,
  update_dependabot_alert: true,
  list_models: true,
  delete_model: true,
  train: true,
  get_traces: true,
  submit_task: true,
  get_task: true,
  cancel_task: true,
  get_queue_stats: true,
  model_fit: true,
  export_model: true,
  import_model: true,
  list_model_versions: true,
  rollback_model: true,
  quantize_model: true,
  prune_model: true,
} satisfies Record<OperationName, true>;

describe('the client’s view of the catalogue', () => {
  const catalogue = createCatalogue();

  it('types exactly the catalogue’s operations', () => {
    expect(Object.keys(EVERY_OPERATION).sort()).toEqual([...catalogue.names].sort());
  });

  it('retries after a 503 without Retry-After exactly the operations the catalogue says change nothing', () => {
    for (const operation of catalogue.operations) {
      expect([operation.name, SAFE_OPERATIONS.has(operation.name)]).toEqual([
        operation.name,
        operation.effects.readOnly,
      ]);
    }
  });

  it('knows the server’s error codes and the status of each', () => {
    expectTypeOf<ServerErrorCode>().toEqualTypeOf<ErrorCode>();
    expect(CODE_OF_STATUS).toEqual(
      Object.fromEntries(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code])),
    );
  });

  it('types params from the input schemas and answers from the output schemas', () => {
    expectTypeOf<OperationParams<'inference'>>().toHaveProperty('model_id').toEqualTypeOf<string>();
    expectTypeOf<OperationParams<'string_spectrum'>>().toEqualTypeOf<{
      max_modes?: number | undefined;
      dimensions?: number | undefined;
    }>();
    expectTypeOf<OperationAnswer<'load_model'>>().toHaveProperty('model_id').toEqualTypeOf<string>();
    expectTypeOf<OperationAnswer<'list_models'>['count']>().toEqualTypeOf<number>();
    expectTypeOf<OperationAnswer<'inference'>['success']>().toEqualTypeOf<true>();
  });
});
