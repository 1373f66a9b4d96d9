import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm start` split into what a test or bench needs to run the app exactly as users do. */
export interface StartScript {
  /** Environment assignments before `node` (glibc malloc settings). */
  env: Record<string, string>;
  /** node's options, without the entry file. */
  nodeOptions: string[];
  /** The entry file, relative to the repository root (`dist/main.js`). */
  entry: string;
}

/**
 * package.json's start script, `[NAME=value ...] node [options] <file>.js`, parsed.
 *
 * @throws Error when the script has another shape (the parsers here would run something else).
 */
export function startScript(): StartScript {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = (words.shift() as string).split('=');
    env[name as string] = value.join('=');
  }
  const [command, ...args] = words;
  const entry = args.at(-1);
  if (command !== 'node' || !entry?.endsWith('.js')) {
    throw new Error(
      `the start script should be "[NAME=value ...] node [options] <file>.js": ${pkg.scripts.start}`,
    );
  }
  return { env, nodeOptions: args.slice(0, -1), entry };
}
