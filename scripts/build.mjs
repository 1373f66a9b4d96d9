// Compiles src/ into dist/ for `npm start` (run by `prestart`, ~0.2 s). Running compiled JavaScript
// instead of TypeScript through tsx keeps a loader thread with its own V8 heap (~60 MB on Node 20)
// out of the helpdesk process. Dependencies stay in node_modules; only the app's code is bundled.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Worker-thread modules, compiled as entries of their own next to the chunks that start them. */
const WORKERS = {
  'parse-worker': fileURLToPath(new URL('../src/channels/email/parse-worker.ts', import.meta.url)),
};

/** Bundles `entry` and the app code it imports into `outdir` (emptied first: chunk names carry hashes). */
export async function bundle(entry, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { [path.basename(entry).replace(/\.[cm]?[jt]s$/, '')]: entry, ...WORKERS },
    outdir,
    bundle: true,
    splitting: true, // channel modules stay separate files, loaded only when the channel is on
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundle('src/main.ts', 'dist');
}
