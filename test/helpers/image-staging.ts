import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import {
  copyPaths,
  execForm,
  healthcheckCommand,
  instructionsOf,
  keyValues,
  stageNamed,
  words,
  type Dockerfile,
  type Instruction,
  type Stage,
} from './dockerfile.js';
import type { DockerIgnore } from './dockerignore.js';

/**
 * What the image of a Dockerfile's last stage holds under its WORKDIR, laid out in a folder of this machine
 * without a container engine, so the image's own commands can run from it:
 *
 * - a COPY from the build context copies from the repository, leaving out what `.dockerignore` leaves out;
 * - a COPY of `node_modules` from a stage that runs `npm ci` runs that same `npm ci` on the same package.json
 *   and package-lock.json;
 * - a COPY of anything else from a stage takes it from this checkout: `dist/…` as `npm run build` made it (the
 *   stage must run that), other paths as that stage copied them from the context.
 *
 * The last stage may RUN commands only before its WORKDIR and without naming it (preparing the data volume,
 * removing the package managers): what they do to the base image is not staged, and nothing they do reaches the
 * staged folder. Anything else this cannot stage faithfully (ADD, a COPY from an outside image, wildcards)
 * throws.
 */
export interface StagedImage {
  /** The staged folder: the image's WORKDIR. */
  readonly root: string;
  /** The image's WORKDIR (`/app`). */
  readonly workdir: string;
  /** The last stage's ENV, in order. */
  readonly env: Readonly<Record<string, string>>;
  /** USER, as numbers. */
  readonly user: { readonly uid: number; readonly gid: number };
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly healthcheck: readonly string[];
  /** How long installing the production dependencies took, in seconds. */
  readonly installSeconds: number;
  /** An image path as a path of the staged folder (or the same path when it is not under WORKDIR). */
  local(imagePath: string): string;
}

/** Stages the last stage of `dockerfile` into `into`, an empty folder; `context` is the build context. */
export async function stageImage(
  dockerfile: Dockerfile,
  context: string,
  ignore: DockerIgnore,
  into: string,
): Promise<StagedImage> {
  const runtime = dockerfile.stages.at(-1)!;
  const workdir = onlyWorkdir(runtime);
  const local = (imagePath: string): string =>
    imagePath === workdir || imagePath.startsWith(`${workdir}/`)
      ? join(into, posix.relative(workdir, imagePath))
      : imagePath;

  let cwd = '/';
  let installSeconds = 0;
  for (const instruction of runtime.instructions) {
    if (instruction.keyword === 'WORKDIR') cwd = workdir;
    if (instruction.keyword === 'ADD') throw new Error(`line ${instruction.line}: ADD cannot be staged`);
    if (instruction.keyword === 'RUN' && (cwd !== '/' || instruction.args.includes(workdir))) {
      throw new Error(`line ${instruction.line}: a RUN in the last stage may not touch ${workdir}`);
    }
    if (instruction.keyword !== 'COPY') continue;
    if (cwd !== workdir) throw new Error(`line ${instruction.line}: COPY before WORKDIR cannot be staged`);
    const { sources, destination } = copyPaths(instruction);
    const target = posix.resolve(cwd, destination);
    if (local(target) === target) throw new Error(`line ${instruction.line}: COPY outside ${workdir}`);
    const intoDirectory = sources.length > 1 || destination.endsWith('/');
    for (const source of sources) {
      if (/[*?[]/.test(source)) throw new Error(`line ${instruction.line}: wildcards cannot be staged`);
      const placed = intoDirectory ? posix.join(target, posix.basename(source)) : target;
      const from = instruction.flags.get('from');
      if (from === undefined) {
        copyFromContext(context, posix.normalize(source), local(placed), ignore);
      } else {
        installSeconds += await copyFromStage(dockerfile, from, source, local(placed), context, instruction);
      }
    }
  }

  const user = /^(\d+):(\d+)$/.exec(lastArgs(runtime, 'USER') ?? '');
  if (!user) throw new Error('the last stage needs USER uid:gid, in numbers');
  const healthcheck = healthcheckCommand(lastInstruction(runtime, 'HEALTHCHECK'));
  if (healthcheck === 'NONE') throw new Error('the last stage turns its health check off');
  return {
    root: into,
    workdir,
    env: Object.fromEntries(instructionsOf(runtime, 'ENV').flatMap(keyValues)),
    user: { uid: Number(user[1]), gid: Number(user[2]) },
    entrypoint: execFormOf(lastInstruction(runtime, 'ENTRYPOINT')),
    cmd: execFormOf(lastInstruction(runtime, 'CMD')),
    healthcheck,
    installSeconds,
    local,
  };
}

function onlyWorkdir(stage: Stage): string {
  const workdirs = instructionsOf(stage, 'WORKDIR');
  if (workdirs.length !== 1 || !workdirs[0]!.args.startsWith('/') || workdirs[0]!.args.includes('$')) {
    throw new Error('the last stage needs exactly one WORKDIR, an absolute path without variables');
  }
  return posix.normalize(workdirs[0]!.args);
}

function lastInstruction(stage: Stage, keyword: string): Instruction {
  const found = instructionsOf(stage, keyword).at(-1);
  if (!found) throw new Error(`the last stage has no ${keyword}`);
  return found;
}

function lastArgs(stage: Stage, keyword: string): string | undefined {
  return instructionsOf(stage, keyword).at(-1)?.args;
}

function execFormOf(instruction: Instruction): string[] {
  const form = execForm(instruction.args);
  if (!form)
    throw new Error(`line ${instruction.line}: ${instruction.keyword} in shell form cannot be staged`);
  return form;
}

/** COPY from the context: a file, or a directory's contents, less what .dockerignore leaves out. */
function copyFromContext(context: string, source: string, target: string, ignore: DockerIgnore): void {
  if (source.startsWith('..') || posix.isAbsolute(source))
    throw new Error(`${source} is outside the context`);
  if (ignore.ignores(source)) throw new Error(`${source} is left out of the context by .dockerignore`);
  const path = join(context, source);
  if (!existsSync(path)) throw new Error(`${source} is not in the context`);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(path, target, {
    recursive: true,
    filter: (file) => {
      const inContext = relative(context, file).split('\\').join('/');
      return inContext === source || !ignore.ignores(inContext);
    },
  });
}

/** COPY --from a stage; answers the seconds an installation took (0 when none ran). */
async function copyFromStage(
  dockerfile: Dockerfile,
  reference: string,
  source: string,
  target: string,
  context: string,
  copy: Instruction,
): Promise<number> {
  const stage = stageNamed(dockerfile, reference);
  if (!stage) throw new Error(`line ${copy.line}: --from=${reference} is not a stage of this Dockerfile`);
  const stageWorkdir = posix.normalize(lastArgs(stage, 'WORKDIR') ?? '/');
  const inStage = posix.relative(stageWorkdir, posix.resolve('/', source));
  if (inStage.startsWith('..')) throw new Error(`line ${copy.line}: ${source} is outside ${stageWorkdir}`);

  if (inStage === 'node_modules') return installLikeStage(stage, context, target);
  const builds = instructionsOf(stage, 'RUN').some((run) => /\bnpm run build\b/.test(run.args));
  const copiedIn = instructionsOf(stage, 'COPY').some(
    (instruction) =>
      instruction.flags.get('from') === undefined &&
      copyPaths(instruction).sources.some((path) => inStage === posix.normalize(path)),
  );
  if (!(builds && inStage.startsWith('dist/')) && !copiedIn) {
    throw new Error(`line ${copy.line}: stage ${reference} neither builds nor copies ${inStage}`);
  }
  const built = join(context, inStage);
  if (!existsSync(built)) throw new Error(`${inStage} is missing here: run \`npm run build\` first`);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(built, target, { recursive: true });
  return 0;
}

/**
 * Runs the stage's `npm ci …` on the files it copies in (package.json and package-lock.json) in a folder of its
 * own, and moves the node_modules it makes to `target`. `--prefer-offline` is added: it lets npm take a tarball
 * from its cache without asking the registry first, which changes where the bytes come from, never which: each
 * is the version and integrity hash package-lock.json names.
 */
async function installLikeStage(stage: Stage, context: string, target: string): Promise<number> {
  const command = instructionsOf(stage, 'RUN')
    .flatMap((run) => run.args.split(/&&|\|\||;/))
    .map((part) => words(part.trim()))
    .find((parts) => parts[0] === 'npm' && parts[1] === 'ci');
  if (!command) throw new Error(`stage ${stage.name ?? '?'} copies node_modules but runs no npm ci`);
  const copied = instructionsOf(stage, 'COPY').flatMap((copy) => copyPaths(copy).sources);
  const dir = mkdtempSync(join(tmpdir(), 'dredge-image-deps-'));
  try {
    for (const file of copied) cpSync(join(context, file), join(dir, posix.basename(file)));
    const started = performance.now();
    await run('npm', [...command.slice(1), '--prefer-offline'], dir);
    const seconds = (performance.now() - started) / 1000;
    if (!statSync(join(dir, 'node_modules')).isDirectory()) throw new Error('npm ci made no node_modules');
    mkdirSync(dirname(target), { recursive: true });
    renameSync(join(dir, 'node_modules'), target);
    return seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

/** Every folder from `path`'s parent up to the file system's root. */
export function ancestors(path: string): string[] {
  const found: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    found.push(dir);
    if (dirname(dir) === dir) return found;
  }
}

/** Every file under `root` with its size and modification time: a fingerprint of what a run may have changed. */
export function treeFingerprint(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats) found.set(relative(root, path), `${stats.size}:${stats.mtimeMs}`);
  }
  return found;
}
