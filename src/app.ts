import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { buildApiServer, hasHttpRoutes } from './api/server.js';
import type { AppConfig } from './config.js';
import { apiTokenCheck } from './core/api-token.js';
import { autoStopTimer } from './core/billing/timers.js';
import { firstContactDeadline } from './core/business-time.js';
import type { ChannelAdapter, ChannelContext, ChannelName } from './core/channel.js';
import { createChannelContext } from './core/channel-context.js';
import { loadClosures } from './core/closures.js';
import { CONSENT_EXPIRY_QUEUE, expireConsent } from './core/consent/consent-requests.js';
import { CredentialVault } from './core/consent/credential-vault.js';
import type { CoreContext, CoreSettings } from './core/core-context.js';
import {
  type DeliveryOutcome,
  deliverBatch,
  type OutboxEvents,
  type OutboxRuntime,
} from './core/delivery.js';
import { errorSummary } from './core/errors.js';
import { instanceSecret } from './core/instance-secrets.js';
import { ChannelHealth } from './core/outbox/channel-health.js';
import { releaseDeadLeases } from './core/outbox/outbox.js';
import { type SweepReport, sweepDeliveries } from './core/outbox/sweeper.js';
import { loadSettings } from './core/settings.js';
import { TIMER_HANDLERS } from './core/timer-handlers.js';
import { fireDueTimers, fireTimer } from './core/timers.js';
import { type Database, openDatabase } from './db/database.js';
import { DELIVERY_QUEUE, JobQueue } from './jobs/job-queue.js';
import type { Logger } from './logger.js';

export interface RunningApp {
  core: CoreContext;
  channelContext: ChannelContext;
  database: Database;
  queue: JobQueue;
  server: FastifyInstance;
  /** `http://host:port` the server listens on. */
  url: string;
  /** The API token when this process knows it: `API_TOKEN`, or the one generated at this start. */
  apiToken?: string;
  adapters: Map<ChannelName, ChannelAdapter>;
  /** Per-channel send outcomes (outages) and the count of expired leases. */
  channelHealth: ChannelHealth;
  /** Runs the delivery sweeper once now (it also runs every DELIVERY_SWEEP_SECONDS). */
  sweepDeliveries(): Promise<SweepReport>;
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
  /** Called after a delivery's final status committed (e.g. the Slack relay). */
  outboxEvents?: OutboxEvents;
  /** In-memory embedded store only: the data directory to start from (tests: a migrated template). */
  initialData?: Blob;
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
    unknownSenderRepliesPerHour: env.UNKNOWN_SENDER_REPLIES_PER_HOUR,
    deliveryMaxAgeMs: env.DELIVERY_MAX_AGE_HOURS * 3600_000,
    deliveryLeaseMs: env.DELIVERY_LEASE_SECONDS * 1000,
    deliveryRetryBaseMs: 5_000,
    openingHours: { hours: config.calendar.hours, workingDays: config.calendar.workingDays },
    messageIdDomain: config.email?.from.split('@')[1] ?? 'helpdesk.invalid',
    remoteToolName: env.REMOTE_TOOL_NAME,
    remoteToolUrl: env.REMOTE_TOOL_URL,
    consentTtlMs: env.CONSENT_TTL_MINUTES * 60_000,
    organizerEmail: config.email?.from,
  };
}

/** V8 settings for a small process: slower heap growth, PGlite's WASM on baseline code. Why: docs/performance.md#memory */
function limitMemory(embedded: boolean): void {
  v8.setFlagsFromString('--heap-growing-percent=20');
  if (embedded) v8.setFlagsFromString('--wasm-tier-up-filter=2147483647');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Logs (at debug) how long each start-up step took, in ms, so a slow first start on a given
 * machine or Node version says where its time went.
 */
function startupSteps(logger: Logger): (step: string) => void {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    logger.debug({ ms: Math.round(now - last) }, `start-up: ${step}`);
    last = now;
  };
}

/** Lets the young generation grow again and collects start-up's garbage. Why: docs/performance.md#memory */
function startupDone(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=2');
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
  const stepDone = startupSteps(logger);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    initialData: options.initialData,
  });
  stepDone('store opened and migrated');
  let server: FastifyInstance | undefined;
  let queue: JobQueue | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const started: ChannelAdapter[] = [];
  let stopped = false;
  // Order matters: stop taking requests, let in-flight sends finish through the adapters, stop
  // the adapters, then close the store.
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    const attempt = (step: () => Promise<unknown>) =>
      step().catch((error: unknown) => logger.error({ reason: errorSummary(error) }, 'error while stopping'));
    clearInterval(sweepTimer);
    if (server) await attempt(() => server!.close());
    if (queue) await attempt(() => queue!.stop());
    for (const adapter of started.reverse()) await attempt(() => adapter.stop());
    await attempt(() => database.close());
  };
  try {
    const replyTokenSecret = await instanceSecret(database, 'reply_token_secret', config.appSecret);
    const apiTokenChecker = await apiTokenCheck(database, config.apiToken);
    if (apiTokenChecker.generated) writeApiTokenFile(config.dataDir, apiTokenChecker.generated);
    const apiToken = config.apiToken ?? apiTokenChecker.generated;
    queue = new JobQueue(database, {
      pollIntervalMs: config.env.WORKER_POLL_MS,
      // pg-boss fails a job running longer; the delivery's lease is what guards the send.
      expireInSeconds: config.env.DELIVERY_LEASE_SECONDS + 60,
      onError: (error) => logger.warn({ reason: errorSummary(error) }, 'job queue error'),
    });
    await queue.start();
    stepDone('job queue started');
    const core: CoreContext = {
      database,
      jobs: queue,
      settings: { ...coreSettingsFrom(config), ...options.settings },
      replyTokenSecret,
      now: options.now ?? (() => new Date()),
      firstContactDeadline: (start) => firstContactDeadline(start, config.calendar),
      calendar: config.calendar,
      activation: config.activation,
      slots: config.slots,
      onDeliverySettled: new Set(),
      // Remote-tool credentials: in this process's memory only, read once (T4, T8).
      credentialHandOver: new CredentialVault(config.env.CREDENTIALS_TTL_MINUTES * 60_000),
      onRemoteSessionEnded: new Set(),
      scheduleTimerStop: (tx, entryId, at) => queue!.enqueueTimerStop(tx, entryId, at),
    };
    await queue.createTimerQueue(CONSENT_EXPIRY_QUEUE);
    const channelContext = createChannelContext(core);
    const adapters = new Map<ChannelName, ChannelAdapter>();
    for (const adapter of options.adapters?.(channelContext, core) ?? []) adapters.set(adapter.name, adapter);
    core.channelRunning = (name) => adapters.has(name as ChannelName);

    const linkFor = (kind: string, code: string) => {
      const adapter = adapters.get(kind as ChannelName) as
        | Partial<{ deepLink(code: string): string }>
        | undefined;
      return adapter?.deepLink?.(code);
    };
    const channelHealth = new ChannelHealth();
    const runtime: OutboxRuntime = {
      health: channelHealth,
      events: withSettledListeners(options.outboxEvents, core),
      warn: (data, message) => logger.warn(data, message),
      stopping: () => stopped,
    };
    if (database.kind === 'embedded') {
      const released = await releaseDeadLeases(core);
      if (released > 0)
        logger.warn({ deliveries: released }, 'deliveries left mid-send by a stopped process: sending again');
    }
    await loadClosures(core);
    await loadSettings(core);
    stepDone('timer queues created, closures and settings loaded');
    const sweep = async () => {
      // Timers whose job was lost or ran before the clock reached them; closures and settings
      // another process changed.
      await loadClosures(core);
      await loadSettings(core);
      await fireDueTimers(core, TIMER_HANDLERS);
      const report = await sweepDeliveries(core, DELIVERY_QUEUE);
      if (report.requeued + report.hastened > 0) {
        logger.warn({ ...report }, 'delivery sweeper re-queued deliveries that had no live job');
      }
      queue!.wake();
      return report;
    };
    server = await buildApiServer({
      core,
      queue,
      apiToken: apiTokenChecker,
      logger,
      linkFor,
      channelHealth,
      channels: () => [...adapters.keys()],
      backgroundFailure: (channel) => adapters.get(channel as ChannelName)?.backgroundFailure?.(),
      trustProxy: config.env.TRUST_PROXY,
    });
    for (const adapter of adapters.values()) {
      if (hasHttpRoutes(adapter)) adapter.registerRoutes(server);
    }
    stepDone('web server built');
    for (const adapter of adapters.values()) {
      started.push(adapter);
      await adapter.start(channelContext);
      logger.info({ channel: adapter.name }, `channel ${adapter.name}: on`);
      stepDone(`channel ${adapter.name} started`);
    }
    if (options.workers !== false) {
      const jobs = queue;
      await queue.workDeliveries(
        async (batch) => {
          const ids = batch.map((job) => job.deliveryId);
          const retries = await deliverBatch(core, (name) => adapters.get(name), ids, runtime);
          // A retry due before the next poll would wait for it; wake the worker on time instead.
          for (const retryIn of retries) {
            if (retryIn !== undefined && retryIn < 30_000)
              setTimeout(() => jobs.wake(), retryIn + 20).unref();
          }
        },
        { batchSize: options.workerBatchSize ?? 10 },
      );
    }
    if (options.workers !== false) {
      await queue.workTimers(CONSENT_EXPIRY_QUEUE, async (data) => {
        if (data.requestId) await expireConsent(core, BigInt(data.requestId));
      });
      // Billing (#24): timers left running stop themselves at the end of the business day.
      await queue.workTimerStops(async (entryId) => {
        const stopped = await database.transaction((tx) => autoStopTimer(core, tx, entryId));
        if (stopped) logger.info({ entryId }, 'timer stopped at the end of the business day');
      });
      await queue.workBusinessTimers(async (key) => {
        await fireTimer(core, key, TIMER_HANDLERS).catch((error: unknown) =>
          logger.warn({ reason: errorSummary(error), timer: key }, 'timer failed; the sweep tries again'),
        );
      });
    }
    if (options.workers !== false) {
      // First sweep right away: picks up what a previous run left (old queue, expired jobs).
      await sweep();
      sweepTimer = setInterval(() => {
        sweep().catch((error: unknown) =>
          logger.warn({ reason: errorSummary(error) }, 'delivery sweep failed'),
        );
      }, config.env.DELIVERY_SWEEP_SECONDS * 1000);
      sweepTimer.unref();
      stepDone('workers started, first sweep done');
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
      channelHealth,
      sweepDeliveries: sweep,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The outbox's events, also told to the core's `onDeliverySettled` listeners (the Slack thread's
 * receipts), after the caller's own hooks.
 */
function withSettledListeners(events: OutboxEvents | undefined, core: CoreContext): OutboxEvents {
  const settle = (outcome: DeliveryOutcome) => {
    for (const listener of core.onDeliverySettled ?? []) {
      listener({
        deliveryId: outcome.deliveryId.toString(),
        messageId: outcome.messageId.toString(),
        status: outcome.status,
        reason: outcome.reason,
      });
    }
  };
  return {
    delivered: async (outcome) => {
      await events?.delivered?.(outcome);
      settle(outcome);
    },
    failedForGood: async (outcome) => {
      await events?.failedForGood?.(outcome);
      settle(outcome);
    },
  };
}
