import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProductInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
}

/**
 * The package's own name, version and description. Read from package.json by walking up from this file,
 * because the file sits at a different depth in src/ (tests) and dist/src/ (the installed CLI).
 */
function readProductInfo(): ProductInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<ProductInfo>;
      if (pkg.name === 'dredge' && pkg.version && pkg.description) {
        return { name: pkg.name, version: pkg.version, description: pkg.description };
      }
    } catch {
      // not here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('package.json of dredge not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const PRODUCT: ProductInfo = readProductInfo();
