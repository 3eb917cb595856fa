/**
 * Benchmark entry point: `npm run bench -- <name> [args...]`.
 * Each benchmark lives in bench/<name>.ts and exports `run(args)`. Every figure it prints is set beside a
 * baseline measured in the same run (or the reference's published figure), never judged by a fixed threshold.
 */
interface BenchmarkModule {
  run(args: string[]): Promise<void>;
}

/** One line per benchmark; adding a benchmark is adding a file and a line here. */
const benchmarks: Record<string, () => Promise<BenchmarkModule>> = {
  compute: () => import('./compute.js'),
  compression: () => import('./compression.js'),
  'async-context': () => import('./async-context.js'),
  cache: () => import('./cache.js'),
  http: () => import('./http.js'),
  'compression-http': () => import('./compression-http.js'),
  queue: () => import('./queue.js'),
  registry: () => import('./registry.js'),
  stores: () => import('./stores.js'),
  security: () => import('./security.js'),
  responsiveness: () => import('./responsiveness.js'),
  startup: () => import('./startup.js'),
  'hostile-soak': () => import('./hostile-soak.js'),
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const load = name === undefined ? undefined : benchmarks[name];
  if (!load) {
    const known = Object.keys(benchmarks).sort().join(', ') || '(none yet)';
    console.error(`usage: npm run bench -- <name> [args]\nbenchmarks: ${known}`);
    process.exitCode = 2;
    return;
  }
  await (await load()).run(args);
}

await main(process.argv.slice(2));
