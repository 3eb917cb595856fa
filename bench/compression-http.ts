/**
 * What compression saves and costs, measured in one run: for each answer (unified_inference, get_parameters of a
 * large StringTheoryNN, its model bundle and a pruned copy's), the bytes a client receives and the server's CPU
 * time per answer (process.cpuUsage of the server's process: its event loop, compute pool and libuv's threads,
 * where zlib compresses) when the client accepts no coding, gzip, or br. Identity is the baseline, measured in the
 * same rounds; rounds alternate the codings so that a busier moment of the machine weighs on all three alike.
 *
 *   npm run bench -- compression-http [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

type Coding = 'identity' | 'gzip' | 'br';
const CODINGS: readonly Coding[] = ['identity', 'gzip', 'br'];

/** A link of 2 Mbit/s (a slow mobile connection), to put the bytes into seconds a user waits. */
const SLOW_LINK_BITS_PER_SECOND = 2_000_000;

/** The sparsity of the pruned copy whose bundle is measured beside the float64 one. */
const PRUNED_SPARSITY = 0.8;

/** A StringTheoryNN with 512 hidden units (other settings default), seeded: its get_parameters answer is fixed. */
const LARGE_NETWORK = { model_type: 'string_theory', config: { hidden_size: 512, seed: 1 } };

interface Answer {
  readonly status: number;
  readonly encoding: string | undefined;
  readonly body: Buffer;
}

interface Workload {
  readonly name: string;
  /** Answers per coding per round. */
  readonly perRound: number;
  ask(n: number, coding: Coding): Promise<Answer>;
}

interface Totals {
  bytes: number;
  cpuMicroseconds: number;
  answers: number;
}

/** The server in its own process, its CPU time read on demand. */
class CpuReportingServer {
  private constructor(
    private readonly child: ReturnType<typeof spawn>,
    readonly url: string,
    /** Who waits for the next CPU report, oldest first (the process answers SIGUSR2s in order). */
    private readonly waiting: ((cpu: number) => void)[],
  ) {}

  static start(env: NodeJS.ProcessEnv): Promise<CpuReportingServer> {
    const compiled = fileURLToPath(new URL('./support/cpu-reporting-server-process.js', import.meta.url));
    const script = existsSync(compiled) ? compiled : compiled.replace(/\.js$/, '.ts');
    // execArgv: run from sources (tsx), the child needs the same loader.
    const child = spawn(process.execPath, [...process.execArgv, script], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      const waiting: ((cpu: number) => void)[] = [];
      let pending = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (!line.startsWith('{')) continue;
          const message = JSON.parse(line) as { url?: string; cpuMicroseconds?: number };
          if (message.url !== undefined) resolve(new CpuReportingServer(child, message.url, waiting));
          if (message.cpuMicroseconds !== undefined) waiting.shift()?.(message.cpuMicroseconds);
        }
      });
      child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
    });
  }

  /** The server process's CPU time so far, µs. */
  cpuMicroseconds(): Promise<number> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.kill('SIGUSR2');
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request on a kept-alive connection; the bytes as they came, not decoded. */
function ask(url: string, path: string, coding: Coding, body?: unknown): Promise<Answer> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { 'accept-encoding': coding };
  if (text !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const call = request(
      new URL(path, url),
      { method: text === undefined ? 'GET' : 'POST', headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            encoding: response.headers['content-encoding'],
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(text);
  });
}

function decode(answer: Answer): Buffer {
  if (answer.encoding === 'gzip') return gunzipSync(answer.body);
  if (answer.encoding === 'br') return brotliDecompressSync(answer.body);
  return answer.body;
}

/** The answer's bytes, once in each coding: they must decode to the identity bytes, or the figures mean nothing. */
async function checkDecodes(workload: Workload): Promise<void> {
  // Asked twice first: a cached operation's first answer says `"cached":false`, the others `true`.
  await workload.ask(0, 'identity');
  const identity = await workload.ask(0, 'identity');
  for (const coding of CODINGS.slice(1)) {
    const answer = await workload.ask(0, coding);
    if (answer.status !== 200) throw new Error(`${workload.name} (${coding}): status ${answer.status}`);
    if (answer.encoding !== coding)
      throw new Error(`${workload.name}: asked ${coding}, got ${answer.encoding}`);
    if (!decode(answer).equals(identity.body)) {
      throw new Error(`${workload.name} (${coding}) does not decode to the identity bytes`);
    }
  }
}

async function measure(server: CpuReportingServer, workload: Workload, rounds: number) {
  await checkDecodes(workload);
  // One round unmeasured: the server's code and its threads warm up outside the figures.
  for (const coding of CODINGS) for (let i = 0; i < workload.perRound; i++) await workload.ask(0, coding);
  const totals = new Map<Coding, Totals>(
    CODINGS.map((coding) => [coding, { bytes: 0, cpuMicroseconds: 0, answers: 0 }]),
  );
  let n = 1;
  for (let round = 0; round < rounds; round++) {
    for (const coding of CODINGS) {
      const total = totals.get(coding) as Totals;
      const before = await server.cpuMicroseconds();
      for (let i = 0; i < workload.perRound; i++) {
        const answer = await workload.ask(n++, coding);
        if (answer.status !== 200) throw new Error(`${workload.name}: status ${answer.status}`);
        total.bytes += answer.body.length;
      }
      total.cpuMicroseconds += (await server.cpuMicroseconds()) - before;
      total.answers += workload.perRound;
    }
  }
  return totals;
}

function rows(name: string, totals: Map<Coding, Totals>): string[] {
  const identity = totals.get('identity') as Totals;
  const perAnswer = (total: Totals) => ({
    bytes: total.bytes / total.answers,
    cpuMs: total.cpuMicroseconds / total.answers / 1000,
  });
  const base = perAnswer(identity);
  return CODINGS.map((coding) => {
    const { bytes, cpuMs } = perAnswer(totals.get(coding) as Totals);
    const slowLinkSeconds = (bytes * 8) / SLOW_LINK_BITS_PER_SECOND;
    return (
      `| ${name} | ${coding} | ${Math.round(bytes).toLocaleString('en-US')} | ${(bytes / base.bytes).toFixed(3)} | ` +
      `${cpuMs.toFixed(2)} | ${(cpuMs / base.cpuMs).toFixed(2)} | ${slowLinkSeconds.toFixed(slowLinkSeconds < 1 ? 3 : 1)} |`
    );
  });
}

/**
 * The model's bundle (GET /models/:id/bundle) and, where prune_model exists, the bundle of a copy pruned to 80 %
 * sparsity (zeros compress; float64 values hardly do). Answers why a bundle is not measured, if it is not.
 */
async function addBundles(
  url: string,
  modelId: string,
  parameters: number,
  workloads: Workload[],
): Promise<string | undefined> {
  const bundle = await ask(url, `/models/${modelId}/bundle`, 'identity');
  if (bundle.status !== 200) {
    return `A model bundle is not measured: GET /models/${modelId}/bundle answered ${bundle.status}.`;
  }
  const count = parameters.toLocaleString('en-US');
  workloads.push({
    name: `model bundle (${count} float64 parameters)`,
    perRound: 3,
    ask: (_n, coding) => ask(url, `/models/${modelId}/bundle`, coding),
  });
  const pruned = await ask(url, '/mcp', 'identity', {
    operation: 'prune_model',
    params: { model_id: modelId, sparsity: PRUNED_SPARSITY },
  });
  if (pruned.status !== 200) return `prune_model answered ${pruned.status}: no pruned bundle measured.`;
  const prunedId = (JSON.parse(pruned.body.toString()) as { model_id: string }).model_id;
  workloads.push({
    name: `model bundle (the same, pruned to ${PRUNED_SPARSITY * 100} % zeros)`,
    perRound: 3,
    ask: (_n, coding) => ask(url, `/models/${prunedId}/bundle`, coding),
  });
  return undefined;
}

function roundsFrom(args: string[]): number {
  const at = args.indexOf('--rounds');
  const rounds = at >= 0 ? Number(args[at + 1]) : 3;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error('--rounds must be 1 to 100');
  return rounds;
}

export async function run(args: string[]): Promise<void> {
  const rounds = roundsFrom(args);
  const server = await CpuReportingServer.start({ COMPRESSION_ENABLED: 'true' });
  try {
    const loaded = await ask(server.url, '/mcp', 'identity', {
      operation: 'load_model',
      params: LARGE_NETWORK,
    });
    const { model_id: modelId, n_parameters: parameters } = JSON.parse(loaded.body.toString()) as {
      model_id: string;
      n_parameters: number;
    };
    const workloads: Workload[] = [
      {
        name: 'unified_inference',
        perRound: 200,
        // A new insight each time (of the same length): every answer is computed, none a cache hit.
        ask: (n, coding) =>
          ask(server.url, '/mcp', coding, {
            operation: 'unified_inference',
            params: {
              dredge_insight: `insight ${String(n).padStart(6, '0')}`,
              quasimoto_coords: [0.5, 0.25],
            },
          }),
      },
      {
        name: `get_parameters (${parameters.toLocaleString('en-US')} parameters)`,
        perRound: 3,
        ask: (_n, coding) =>
          ask(server.url, '/mcp', coding, { operation: 'get_parameters', params: { model_id: modelId } }),
      },
    ];
    const bundleNote = await addBundles(server.url, modelId, parameters, workloads);
    const table = [
      '| answer | coding | bytes per answer | vs identity | server CPU per answer (ms) | vs identity | seconds at 2 Mbit/s |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const workload of workloads)
      table.push(...rows(workload.name, await measure(server, workload, rounds)));
    console.log(
      `Compression over HTTP: ${rounds} rounds, codings alternating; the server's own process, its CPU from process.cpuUsage.\n`,
    );
    console.log(table.join('\n'));
    if (bundleNote) console.log(`\n${bundleNote}`);
  } finally {
    agent.destroy();
    await server.stop();
  }
}
