import { startChildServer } from '/work/main/dist/bench/support/child-server.js';
import { runLoad } from '/work/main/dist/bench/support/load-generator.js';
const MISS = '{"operation":"unified_inference","params":{"dredge_insight":"insight {n}","quasimoto_coords":[0.5,0.5],"string_modes":[1,2,3]}}';
const variants = { off: { METRICS_ENABLED: 'false', TRACING_ENABLED: 'false' }, metrics: { TRACING_ENABLED: 'false' }, both: {} };
for (const [name, env] of Object.entries(variants)) {
  const s = await startChildServer('/work/main/dist/bench/support/mcp-server-process.js', env);
  s.markStart();
  const r = await runLoad(s.url, { name, body: MISS, unique: true }, 8, 5);
  const cpu = await s.stop();
  console.log(name.padEnd(10), Math.round(r.requestsPerSecond), 'rps', (cpu / (r.requestsPerSecond * 5)).toFixed(0), 'µs CPU/req');
}
