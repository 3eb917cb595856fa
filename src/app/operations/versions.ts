import { z } from 'zod';
import { DredgeError } from '../../services/errors.js';
import { answer, modelIdOut, versionOut } from './answer.js';
import { modelIdSchema, modelVersionSchema } from './model-ref.js';
import { defineOperation, fixedWork, READS_ONLY } from './operation.js';

/** The kept versions, as both operations answer them. */
const keptVersionsOut = z
  .array(versionOut)
  .describe(
    'The version numbers the model keeps, newest first, the current one included (at most MODEL_VERSIONS_KEPT); ' +
      'after a rollback the newer ones stay until the next training, which drops them',
  );

export const listModelVersions = defineOperation({
  name: 'list_model_versions',
  title: 'List model versions',
  scope: 'read',
  effects: READS_ONLY,
  description:
    'The versions a model keeps (its current one and up to MODEL_VERSIONS_KEPT − 1 before it, each training ' +
    'making one): the numbers inference, get_parameters and rollback_model take as `version`.',
  input: z.object({
    model_id: modelIdSchema.describe('The id of a loaded model, as load_model answered it'),
  }),
  output: answer({
    model_id: modelIdOut,
    version: versionOut.describe('The current version: the one inference runs when none is named'),
    versions: keptVersionsOut,
  }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, context) {
    const { models } = context.services.store;
    const current = await models.get(input.model_id, context.tenant);
    if (!current) throw new DredgeError('not_found', `Model not found: ${input.model_id}`);
    return {
      model_id: input.model_id,
      version: current.model.version,
      versions: await models.versionsOf(input.model_id, context.tenant),
    };
  },
});

export const rollbackModel = defineOperation({
  name: 'rollback_model',
  title: 'Roll a model back',
  scope: 'write',
  // It replaces the parameters inference answers with (destructive), though the state replaced stays a kept
  // version until the next training; a second call with the same version finds it current and changes nothing.
  effects: { readOnly: false, destructive: true, idempotent: true, openWorld: false },
  description:
    'Make a kept earlier (or, after a rollback, later) version of a model current: inference, get_parameters ' +
    'and training use it from now on. The state it replaces stays kept, so a rollback can be undone until the ' +
    'next training, which drops the versions newer than the one it starts from.',
  input: z.object({
    model_id: modelIdSchema.describe('The id of a loaded model, as load_model answered it'),
    version: modelVersionSchema.describe(
      'The kept version to make current, by its version number (a whole number from 0; list_model_versions ' +
        'lists the kept ones, at most MODEL_VERSIONS_KEPT)',
    ),
  }),
  output: answer({
    model_id: modelIdOut,
    version: versionOut.describe('The version now current: the one asked for'),
    versions: keptVersionsOut,
  }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, context) {
    const { models } = context.services.store;
    const current = await models.rollback(input.model_id, input.version, context.tenant);
    return {
      model_id: input.model_id,
      version: current.model.version,
      versions: await models.versionsOf(input.model_id, context.tenant),
    };
  },
});
