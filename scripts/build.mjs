// Compiles src/ into dist/ for `npm start` (run by `prestart`, ~0.2 s). Running compiled JavaScript
// instead of TypeScript through tsx keeps a loader thread with its own V8 heap (~60 MB on Node 20)
// out of the helpdesk process. Dependencies stay in node_modules; only the app's code is bundled.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start from an empty dir so old ones do not pile up.
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true, // channel modules stay separate files, loaded only when the channel is on
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
