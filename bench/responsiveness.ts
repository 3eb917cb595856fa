/**
 * `npm run bench -- responsiveness [--seconds 10]`: how quickly a real `dredge mcp` answers `/health` and a cache
 * hit while a model trains on its worker thread, beside the same server idle, measured in the same run. This
 * process is the client, asking for the two back to back with no pause (as test/app/http/
 * responsive-while-training.solo.test.ts does, which asserts only that the event loop never stalls).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDredgeMcp } from '../test/helpers/dredge-process.js';
import { askWhile, epochsFor, prepareTraining, train, type Samples } from '../test/helpers/training-probe.js';
import { nearestRank } from './support/statistics.js';

interface Phase {
  readonly name: string;
  readonly seconds: number;
  readonly samples: Samples;
}

export async function run(args: string[]): Promise<void> {
  const at = args.indexOf('--seconds');
  const seconds = at >= 0 ? Number(args[at + 1]) : 10;
  const dir = mkdtempSync(join(tmpdir(), 'dredge-bench-responsiveness-'));
  const server = await startDredgeMcp([], { NUM_WORKERS: '1', LOG_LEVEL: 'warn' }, dir);
  const phases: Phase[] = [];
  let epochs = 0;
  try {
    const modelId = await prepareTraining(server);
    // Warm the server's request path (and this client's) before either phase counts.
    const warmUntil = performance.now() + 1000;
    await askWhile(server, () => performance.now() < warmUntil);

    let started = performance.now();
    const idleUntil = started + seconds * 1000;
    const idle = await askWhile(server, () => performance.now() < idleUntil);
    phases.push({ name: 'idle (baseline)', seconds: (performance.now() - started) / 1000, samples: idle });

    epochs = await epochsFor(server, modelId, seconds * 1000);
    let training = true;
    started = performance.now();
    const trained = train(server, modelId, epochs).finally(() => (training = false));
    const busy = await askWhile(server, () => training);
    const answer = await trained;
    if (!answer.success) throw new Error(`the training failed: ${JSON.stringify(answer)}`);
    phases.push({ name: 'training', seconds: (performance.now() - started) / 1000, samples: busy });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  print(phases, epochs);
}

/** p50 | p99 | max, in milliseconds. */
function spread(ms: readonly number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const cells = [nearestRank(sorted, 0.5), nearestRank(sorted, 0.99), sorted.at(-1) ?? Number.NaN];
  return cells.map((value) => value.toFixed(2)).join(' | ');
}

function print(phases: readonly Phase[], epochs: number): void {
  console.log(
    `\nresponsiveness — ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`,
  );
  console.log(
    `dredge mcp, NUM_WORKERS=1; training: ${epochs} epochs of a 16-wave ensemble; one client, requests back to back\n`,
  );
  console.log(
    '| server | seconds | pairs asked | /health p50 ms | p99 | max | cache hit p50 ms | p99 | max |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const phase of phases) {
    const { health, hits } = phase.samples;
    console.log(
      `| ${phase.name} | ${phase.seconds.toFixed(1)} | ${health.length.toLocaleString('en')} | ${spread(health)} | ${spread(hits)} |`,
    );
  }
}
