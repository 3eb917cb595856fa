/**
 * `npm run bench -- async-context [--repeats 21] [--requests 20000]`: what carrying a request's trace context
 * costs, explicitly (a parameter, as `OperationContext.trace` does) or through AsyncLocalStorage, beside the same
 * call chain carrying nothing, all in one run. A "request" is DEPTH nested async calls, each awaiting the next and
 * the innermost awaiting a resolved promise as I/O would: about the number of promise hops between Fastify's hook
 * and an operation's answer. A fourth row runs the context-free chain while some other AsyncLocalStorage has a
 * `run` active, which is what a library using one would do to every promise in the process.
 *
 * Node.js 20 implements AsyncLocalStorage with async_hooks promise hooks; Node.js 24 with AsyncContextFrame (a
 * frame V8 captures with every promise reaction), so run the same build under both to compare.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { cpus } from 'node:os';
import { median } from './support/statistics.js';

/** Awaits per request; the request path has 6–10. */
const DEPTH = 8;

interface Trace {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

interface Variant {
  readonly name: string;
  /** Runs `requests` requests one after another; resolves with a checksum so none can be optimised away. */
  readonly batch: (requests: number) => Promise<number>;
  /** Nanoseconds per request, one per repeat. */
  readonly samples: number[];
}

let sequence = 0;
/** A fresh small object per request, as each request builds its own context. */
function newTrace(): Trace {
  sequence++;
  return { traceId: `t${sequence}`, spanId: 's', sampled: (sequence & 1) === 0 };
}

/** DEPTH nested async calls carrying nothing; `leaf` is the innermost call's work. */
function plainChain(leaf: () => number): () => Promise<number> {
  let call = async (): Promise<number> => (await Promise.resolve(0)) + leaf();
  for (let i = 1; i < DEPTH; i++) {
    const next = call;
    call = async () => (await next()) + 1;
  }
  return call;
}

/** The same chain with the trace handed down as a parameter at every level. */
function explicitChain(leaf: (trace: Trace) => number): (trace: Trace) => Promise<number> {
  let call = async (trace: Trace): Promise<number> => (await Promise.resolve(0)) + leaf(trace);
  for (let i = 1; i < DEPTH; i++) {
    const next = call;
    call = async (trace) => (await next(trace)) + 1;
  }
  return call;
}

async function sequential(requests: number, request: () => Promise<number>): Promise<number> {
  let sum = 0;
  for (let i = 0; i < requests; i++) sum += await request();
  return sum;
}

function variants(): Variant[] {
  const baseline = plainChain(() => 1);
  const explicit = explicitChain((trace) => (trace.sampled ? 1 : 0));
  const storage = new AsyncLocalStorage<Trace>();
  const fromStorage = plainChain(() => (storage.getStore()?.sampled ? 1 : 0));
  const unrelated = new AsyncLocalStorage<Trace>();
  // disable() after each batch that used a storage: on Node.js 20 the promise hooks stay installed until every
  // storage is disabled, and would otherwise tax whichever variant happens to run next.
  return [
    { name: 'no context (baseline)', batch: (n) => sequential(n, baseline), samples: [] },
    {
      name: 'explicit parameter',
      batch: (n) => sequential(n, () => explicit(newTrace())),
      samples: [],
    },
    {
      name: 'AsyncLocalStorage.run + getStore at the leaf',
      batch: (n) =>
        sequential(n, () => storage.run(newTrace(), fromStorage)).finally(() => storage.disable()),
      samples: [],
    },
    {
      name: 'no context, another AsyncLocalStorage enabled',
      batch: (n) =>
        unrelated.run(newTrace(), () => sequential(n, baseline)).finally(() => unrelated.disable()),
      samples: [],
    },
  ];
}

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

export async function run(args: string[]): Promise<void> {
  const repeats = option(args, '--repeats', 21);
  const requests = option(args, '--requests', 20_000);
  const warmups = 3;
  const all = variants();
  let checksum = 0;
  for (let r = 0; r < warmups + repeats; r++) {
    // Rotate the order every repeat so that drift (heat, a neighbour's load) falls on every variant alike.
    const shift = r % all.length;
    for (const variant of [...all.slice(shift), ...all.slice(0, shift)]) {
      const started = process.hrtime.bigint();
      checksum += await variant.batch(requests);
      const ns = Number(process.hrtime.bigint() - started) / requests;
      if (r >= warmups) variant.samples.push(ns);
    }
  }
  const medians = all.map((variant) => median(variant.samples));
  const base = medians[0] ?? Number.NaN;
  console.log(
    `\nasync context — ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`,
  );
  console.log(
    `${DEPTH} awaits per request, ${requests.toLocaleString('en')} requests per sample, medians of ${repeats} samples after ${warmups} warm-ups (checksum ${checksum})\n`,
  );
  console.log('| carrying the context | ns per request | vs baseline | extra ns per request | per await |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  all.forEach((variant, i) => {
    const ns = medians[i] ?? Number.NaN;
    const extra = i === 0 ? ['', ''] : [(ns - base).toFixed(0), ((ns - base) / DEPTH).toFixed(1)];
    console.log(`| ${variant.name} | ${ns.toFixed(0)} | ${(ns / base).toFixed(2)} | ${extra.join(' | ')} |`);
  });
}
