import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StagedImage } from './image-staging.js';
import type { ExitStatus } from './spawn-dredge.js';

/** A command of a staged image running as the container would run it. */
export interface ImageProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  readonly exited: Promise<ExitStatus>;
  /** SIGTERM (the image's STOPSIGNAL), then waits for the exit. */
  stop(): Promise<ExitStatus>;
}

let imageNode: string | undefined;

/**
 * The image's own Node.js binary, as the base image has it: this Node.js, copied once into a folder every user may
 * read, since this one may lie where the image's user cannot reach it (a checkout in a private temporary folder).
 * Without switching users, this Node.js itself.
 */
function nodeOfImage(): string {
  if (process.getuid?.() !== 0) return process.execPath;
  if (imageNode) return imageNode;
  const dir = mkdtempSync(join(tmpdir(), 'dredge-image-node-'));
  chmodSync(dir, 0o755);
  const node = join(dir, 'node');
  copyFileSync(process.execPath, node);
  chmodSync(node, 0o755);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  imageNode = node;
  return node;
}

/**
 * A command of the image as this machine runs it: `node` is the image's Node.js (see nodeOfImage), and image paths
 * under WORKDIR are the staged folder's. Nothing else is translated, so a command naming any other path of the
 * image fails here.
 */
export function localCommand(image: StagedImage, command: readonly string[]): [string, ...string[]] {
  const [program, ...args] = command;
  if (program !== 'node') throw new Error(`only node commands can run here, not ${String(program)}`);
  return [nodeOfImage(), ...args.map((arg) => (arg.startsWith('/') ? image.local(arg) : arg))];
}

/**
 * The container's process for `args` (the command given to `docker run`, in place of CMD): the ENTRYPOINT with
 * those arguments, in the image's WORKDIR, with exactly `env` (nothing of this process's environment, so no
 * NODE_PATH and no HOME of this machine), as the image's USER where this process may switch to it (as root).
 * Resolves once stdout matches `ready`; rejects with the output if it exits first or takes over 20 s.
 */
export function startImageProcess(
  image: StagedImage,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  ready: RegExp,
): Promise<ImageProcess> {
  const [program, ...argv] = localCommand(image, [...image.entrypoint, ...args]);
  const child = spawn(program, argv, { cwd: image.root, env, ...imageUser(image) });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A process that cannot start at all (its binary not executable) says so in the output, and counts as exited.
  const exited = new Promise<ExitStatus>((done) => {
    child.once('exit', (code, signal) => done(code ?? signal));
    child.once('error', (error) => {
      output += `could not start: ${error.message}\n`;
      done(null);
    });
  });
  const started: ImageProcess = {
    child,
    output: () => output,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start within 20 s:\n${output}`));
    }, 20_000);
    child.stdout.on('data', () => {
      if (!ready.test(stdout)) return;
      clearTimeout(timer);
      resolve(started);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${String(code)}:\n${output}`));
    });
  });
}

/** Runs an image command to its end (the health check), as the image's user; answers its exit and output. */
export function runImageCommand(
  image: StagedImage,
  command: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ readonly exit: ExitStatus; readonly output: string }> {
  const [program, ...argv] = localCommand(image, command);
  const child = spawn(program, argv, { cwd: image.root, env, ...imageUser(image) });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ exit: code ?? signal, output }));
    child.once('error', (error) =>
      resolve({ exit: null, output: `${output}could not start: ${error.message}\n` }),
    );
  });
}

/** The image's USER for spawn, where this process can switch users (it runs as root); otherwise its own. */
export function imageUser(image: StagedImage): { uid: number; gid: number } | Record<string, never> {
  return process.getuid?.() === 0 ? { uid: image.user.uid, gid: image.user.gid } : {};
}
