// Under tsx or vitest the worker thread has no TypeScript loader of its own: this plain module
// registers tsx's and loads the worker's TypeScript source. The compiled app (dist/) never uses it.
import { tsImport } from 'tsx/esm/api';

const worker = await tsImport('./parse-worker.ts', import.meta.url);

export default worker.default;
