import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the stylesheet and the shipped terms: next to this module when run from `src/`,
 * else `src/web/assets` of the nearest parent folder (compiled into `dist/` or `bench/dist/`).
 */
export function webAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (existsSync(path.join(here, 'assets', 'style.css'))) return path.join(here, 'assets');
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'src', 'web', 'assets');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`src/web/assets not found above ${here}`);
  }
}
