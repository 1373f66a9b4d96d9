import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { buildApiServer, hasHttpRoutes } from './api/server.js';
import type { AppConfig } from './config.js';
import { addBusinessDays } from './core/business-calendar.js';
import type { ChannelAdapter, ChannelContext, ChannelName } from './core/channel.js';
import { createChannelContext } from './core/channel-context.js';
import type { CoreContext, CoreSettings } from './core/core-context.js';
import { deliver } from './core/delivery.js';
import { errorSummary } from './core/errors.js';
import { instanceSecret } from './core/instance-secrets.js';
import { type Database, openDatabase } from './db/database.js';
import { JobQueue } from './jobs/job-queue.js';
import type { Logger } from './logger.js';

export interface RunningApp {
  core: CoreContext;
  channelContext: ChannelContext;
  database: Database;
  queue: JobQueue;
  server: FastifyInstance;
  /** `http://host:port` the server listens on. */
  url: string;
  apiToken: string;
  adapters: Map<ChannelName, ChannelAdapter>;
  stop(): Promise<void>;
}

export interface AppOptions {
  config: AppConfig;
  logger: Logger;
  /** Channel adapters to run; built from the config by `main.ts`, or test adapters. */
  adapters?: (channelContext: ChannelContext, core: CoreContext) => ChannelAdapter[];
  now?: () => Date;
  /** Overrides for tests and benchmarks. */
  settings?: Partial<CoreSettings>;
  /** Start the delivery workers (default true). */
  workers?: boolean;
  /** Delivery jobs fetched per poll. */
  workerBatchSize?: number;
}

/** A generated API token is written where only the owner of the data directory can read it. */
function writeApiTokenFile(dataDir: string, token: string): void {
  if (dataDir.startsWith('memory://')) return;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'api-token'), `${token}\n`, { mode: 0o600 });
}

export function coreSettingsFrom(config: AppConfig): CoreSettings {
  const env = config.env;
  return {
    publicUrl: config.publicUrl,
    companyName: env.COMPANY_NAME,
    defaultLocale: env.LOCALE,
    hourlyRateCents: env.HOURLY_RATE_CENTS,
    vatPercent: env.VAT_PERCENT,
    reopenDays: env.REOPEN_DAYS,
    autoReplyLimitPerHour: env.AUTO_REPLY_LIMIT_PER_HOUR,
    deliveryMaxAttempts: env.DELIVERY_MAX_ATTEMPTS,
    deliveryRetryBaseMs: 5_000,
    messageIdDomain: config.email?.from.split('@')[1] ?? 'helpdesk.invalid',
  };
}

/**
 * V8 settings that trade a little CPU for a much smaller process. They are process-wide and V8
 * reads them when it needs them:
 *
 * - The old-generation limit grows to 1.2× the live heap after a full GC instead of up to 4×: the
 *   email run otherwise lets ~100 MB of garbage pile up before collecting it.
 * - PGlite (PostgreSQL compiled to WASM) stays on V8's baseline WASM code (Liftoff). By default V8
 *   recompiles warm functions with TurboFan on background threads: ~50 MB more resident for good
 *   on Node 20, a ~700 MB peak at start on Node 24, while the app's statements run no faster
 *   (core ingest the same; a CPU-bound query takes ~1.5× longer). The tier-up filter names a
 *   function index no module has, so none is tiered up; `--liftoff-only` would say it plainly but
 *   is ignored at run time by Node 24's V8. Set before the store opens: V8 reads it as it compiles.
 * - The young generation does not grow during start-up (see {@link startupDone}).
 */
function limitMemory(embedded: boolean): void {
  v8.setFlagsFromString('--heap-growing-percent=20');
  if (embedded) v8.setFlagsFromString('--wasm-tier-up-filter=2147483647');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Start-up (migrations, pg-boss, channel logins) allocates in one burst, and V8 would size the
 * young generation for it (32 MB), keeping it until its memory reducer runs some 15 s later.
 * From here on it may grow again (V8's default factor) when the load needs it.
 */
function startupDone(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=2');
  // `npm start` runs node with --expose-gc: collect start-up's garbage now rather than leave it
  // resident until V8's memory reducer gets to it some 15 s later.
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Wires the store, the job queue, the core, the channels and the web server, and starts them.
 * `stop()` drains in-flight deliveries, stops the channels and closes the store.
 */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  limitMemory(!options.config.databaseUrl);
  try {
    return await start(options);
  } finally {
    startupDone();
  }
}

async function start(options: AppOptions): Promise<RunningApp> {
  const { config, logger } = options;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let server: FastifyInstance | undefined;
  let queue: JobQueue | undefined;
  const started: ChannelAdapter[] = [];
  let stopped = false;
  // Order matters: stop taking requests, let in-flight sends finish through the adapters, stop
  // the adapters, then close the store.
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    const attempt = (step: () => Promise<unknown>) =>
      step().catch((error: unknown) => logger.error({ reason: errorSummary(error) }, 'error while stopping'));
    if (server) await attempt(() => server!.close());
    if (queue) await attempt(() => queue!.stop());
    for (const adapter of started.reverse()) await attempt(() => adapter.stop());
    await attempt(() => database.close());
  };
  try {
    const replyTokenSecret = await instanceSecret(database, 'reply_token_secret', config.appSecret);
    const apiToken = await instanceSecret(database, 'api_token', config.apiToken);
    if (!config.apiToken) writeApiTokenFile(config.dataDir, apiToken);
    queue = new JobQueue(database, {
      pollIntervalMs: config.env.WORKER_POLL_MS,
      onError: (error) => logger.warn({ reason: errorSummary(error) }, 'job queue error'),
    });
    await queue.start();
    const core: CoreContext = {
      database,
      jobs: queue,
      settings: { ...coreSettingsFrom(config), ...options.settings },
      replyTokenSecret,
      now: options.now ?? (() => new Date()),
      firstContactDeadline: (start) => addBusinessDays(start, 2, config.calendar),
      onDeliverySettled: new Set(),
    };
    const channelContext = createChannelContext(core);
    const adapters = new Map<ChannelName, ChannelAdapter>();
    for (const adapter of options.adapters?.(channelContext, core) ?? []) adapters.set(adapter.name, adapter);

    const linkFor = (kind: string, code: string) => {
      const adapter = adapters.get(kind as ChannelName) as
        | Partial<{ deepLink(code: string): string }>
        | undefined;
      return adapter?.deepLink?.(code);
    };
    server = await buildApiServer({ core, queue, apiToken, logger, linkFor });
    for (const adapter of adapters.values()) {
      if (hasHttpRoutes(adapter)) adapter.registerRoutes(server);
    }
    for (const adapter of adapters.values()) {
      started.push(adapter);
      await adapter.start(channelContext);
      logger.info({ channel: adapter.name }, `channel ${adapter.name}: on`);
    }
    if (options.workers !== false) {
      const jobs = queue;
      await queue.workDeliveries(
        async (job) => {
          const retryIn = await deliver(core, (name) => adapters.get(name), job.deliveryId);
          // A retry due before the next poll would wait for it; wake the worker on time instead.
          if (retryIn !== undefined && retryIn < 30_000) setTimeout(() => jobs.wake(), retryIn + 20).unref();
        },
        { batchSize: options.workerBatchSize ?? 10 },
      );
    }
    await server.listen({ port: config.port, host: config.host });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    return {
      core,
      channelContext,
      database,
      queue,
      server,
      url: `http://${config.host}:${port}`,
      apiToken,
      adapters,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
