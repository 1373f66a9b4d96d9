import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../scripts/build.mjs';
import { startScript } from '../test/helpers/start-script.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The node arguments of `npm start`: package.json's start script without its environment and `node`. */
export function startArguments(): string[] {
  const { nodeOptions, entry } = startScript();
  return [...nodeOptions, entry];
}

/** The start script's node options (without the file), so every measured process runs with the flags users get. */
export function startNodeOptions(): string[] {
  return startScript().nodeOptions;
}

/** The start script's environment (glibc malloc settings), for every measured process. */
export function startEnvironment(): Record<string, string> {
  return startScript().env;
}

/** What `npm start`'s prestart does: compile src/ into dist/. */
export function buildMain(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * Compiles a bench entry (with the app code it imports) the way scripts/build.mjs compiles the
 * app, so measured sections run compiled JavaScript as `npm start` does, not TypeScript via tsx.
 */
export async function buildBenchEntry(entry: string): Promise<string> {
  const outdir = path.join(ROOT, 'bench', 'dist');
  await bundle(entry, outdir);
  return path.join(outdir, `${path.basename(entry, '.ts')}.js`);
}
