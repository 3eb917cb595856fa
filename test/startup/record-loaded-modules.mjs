// Preloaded with `node --import` by loaded-modules.test.ts: records every module the process loads (ES modules
// and CommonJS alike, through Node's synchronous module hooks) and writes their URLs, one a line, to the file
// named by DREDGE_LOADED_MODULES_FILE when the process exits.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  writeFileSync(process.env.DREDGE_LOADED_MODULES_FILE, [...loaded].join('\n'));
});
