import { runOperation, type Catalogue } from '../../src/app/operations/index.js';
import { requestContext } from '../../src/app/operations/request-context.js';
import { ANONYMOUS } from '../../src/app/security/authenticator.js';
import type { AppServices } from '../../src/app/services.js';
import { ROOT_CONTEXT } from '../../src/services/telemetry/index.js';

/** Runs a catalogue operation in this process as an anonymous caller would, and answers its result's object. */
export async function callOperation(
  services: AppServices,
  catalogue: Catalogue,
  operation: string,
  params: unknown,
): Promise<Record<string, unknown>> {
  const context = requestContext(services, {
    principal: ANONYMOUS,
    client: 'bench',
    trace: ROOT_CONTEXT,
    signal: new AbortController().signal,
  });
  return (await runOperation(catalogue.find(operation), params, context)).value as Record<string, unknown>;
}
