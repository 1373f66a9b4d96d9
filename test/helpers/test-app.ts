import { type RunningApp, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { ChannelAdapter, ChannelContext } from '../../src/core/channel.js';
import type { CoreContext, CoreSettings } from '../../src/core/core-context.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createTestStore, type TestStore } from './test-database.js';

export interface TestApp extends RunningApp {
  store: TestStore;
  /** Stops the app and drops its database. */
  close(): Promise<void>;
  /** Resolves once no delivery is queued or waiting for a retry. */
  settle(timeoutMs?: number): Promise<void>;
  /** fetch() against the API with the bearer token. */
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<Response>;
}

/** The whole app on a fresh store (PGlite in memory, or a new server database in CI). */
export async function startTestApp(
  options: {
    adapters?: (context: ChannelContext, core: CoreContext) => ChannelAdapter[];
    env?: Record<string, string>;
    settings?: Partial<CoreSettings>;
    now?: () => Date;
    store?: TestStore;
    workers?: boolean;
    /** Where logs go; silent by default. */
    logger?: Logger;
    workerBatchSize?: number;
  } = {},
): Promise<TestApp> {
  const store = options.store ?? (await createTestStore());
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    API_TOKEN: 'test-api-token-0123456789',
    APP_SECRET: 'test-app-secret-0123456789',
    WORKER_POLL_MS: '500',
    DATA_DIR: store.dataDir,
    DATABASE_URL: store.databaseUrl,
    ...options.env,
  });
  const app = await startApp({
    config,
    logger: options.logger ?? createLogger('silent'),
    adapters: options.adapters,
    now: options.now,
    workers: options.workers,
    workerBatchSize: options.workerBatchSize,
    initialData: store.initialData,
    settings: { deliveryRetryBaseMs: 50, ...options.settings },
  });
  return {
    ...app,
    store,
    async close() {
      await app.stop();
      if (!options.store) await store.drop();
    },
    async settle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows } = await app.database.sql.query<{ n: number }>(
          "select count(*)::int as n from deliveries where status in ('queued', 'sending', 'retrying')",
        );
        if (rows[0]!.n === 0) return;
        if (Date.now() > deadline) throw new Error(`${rows[0]!.n} deliveries still pending`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    api(path, init = {}) {
      const headers: Record<string, string> = {};
      const token = init.token === undefined ? app.apiToken : init.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${app.url}/api/v1${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    },
  };
}
