import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_USAGE, writeLine } from '../io.js';

/** The commands' work loads with the store, when one runs. */
const run = () => import('./bundle-run.js');

/** Model ids as the store makes them (the catalogue's own pattern, not imported so registering loads no app). */
const MODEL_ID_PATTERN = /^[a-z0-9_]{1,64}$/;

/** `dredge export` once its options are valid. */
export interface ExportOptions {
  readonly modelId: string;
  readonly version: number | undefined;
  /** Where the bundle goes; stdout when absent. */
  readonly output: string | undefined;
}

export function registerBundleCommands(program: Command, context: () => CliContext): void {
  program
    .command('export')
    .description('write a model as a bundle (versioned, checksummed, binary) from the configured store')
    .argument('<model_id>', 'the model to export, as list_models shows it')
    // Also `--version V`: run-cli.ts reads it after `export` as this (commander keeps --version for dredge's own).
    .option(
      '--model-version <v>',
      'one of its kept versions (the number get_parameters reports; default: the current); also --version <v>',
    )
    .option('-o, --output <file>', 'write the bundle to this file (default: stdout, binary)')
    .addHelpText(
      'after',
      '\n`dredge import FILE`, or import_model on any DREDGE, loads the bundle as a new model.',
    )
    .action(async (modelId: string, raw: { modelVersion?: string; output?: string }) => {
      const ctx = context();
      if (!MODEL_ID_PATTERN.test(modelId)) usage(ctx, `model_id must be a model id such as quasimoto_1d_0.`);
      const version = raw.modelVersion === undefined ? undefined : Number(raw.modelVersion);
      if (
        version !== undefined &&
        !(/^[0-9]{1,15}$/.test(raw.modelVersion ?? '') && Number.isSafeInteger(version))
      ) {
        usage(ctx, '--model-version must be a whole number ≥ 0.');
      }
      await (await run()).exportBundle(ctx, { modelId, version, output: raw.output });
    });

  program
    .command('import')
    .description(
      'load a bundle (from dredge export or export_model) into the configured store as a new model',
    )
    .argument('<file>', 'the bundle file')
    .addHelpText('after', '\nPrints the new model’s id on stdout (ID=$(dredge import FILE)).')
    .action(async (file: string) => (await run()).importBundle(context(), file));
}

function usage(ctx: CliContext, message: string): never {
  writeLine(ctx.io.stderr, message);
  throw new CliExit(EXIT_USAGE);
}
