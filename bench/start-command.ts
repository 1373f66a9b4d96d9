import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../scripts/build.mjs';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The node arguments of `npm start`: package.json's start script without `node`. */
export function startArguments(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = pkg.scripts.start.split(/\s+/);
  if (command !== 'node' || !args.at(-1)?.endsWith('.js')) {
    throw new Error(`the start script should be "node [options] <file>.js": ${pkg.scripts.start}`);
  }
  return args;
}

/** The start script's node options (without the file), so every measured process runs with the flags users get. */
export function startNodeOptions(): string[] {
  return startArguments().slice(0, -1);
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
