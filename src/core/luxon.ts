import { createRequire } from 'node:module';

/**
 * luxon's `DateTime`, from its CommonJS build: pg-boss's cron-parser `require`s luxon, and an ESM
 * `import` would load the package's second build (~0.6 MB of heap and its code) next to it. Why:
 * docs/performance.md#memory
 */
export const { DateTime } = createRequire(import.meta.url)('luxon') as typeof import('luxon');
