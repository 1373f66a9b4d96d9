import PgBoss from 'pg-boss';
import type { Database, Tx } from '../db/database.js';
import { deliveryJobInsertSql as jobInsertSql } from '../db/sql/delivery-job-insert.js';
import { rescheduleWaitingJob } from '../db/sql/reschedule-waiting-job.js';
import { retryActiveJobs } from '../db/sql/retry-active-jobs.js';
import { vacuumAnalyze } from '../db/sql/vacuum-analyze.js';

/**
 * `short` policy: at most one waiting job per delivery (the singleton key is the delivery id;
 * pg-boss's unique index on created jobs), so a sweep, a retry or a wake-up can never double a
 * job, while a new one may wait as the old one runs. (`stately` would also limit running jobs to
 * one per key, but its batch fetch then fails on a unique violation whenever a waiting job's key
 * is still running.) Renamed from `deliver` (standard policy): the sweeper re-queues what was
 * left there.
 */
export const DELIVERY_QUEUE = 'delivery';
/** Billing (#24): a timer that stops itself at the end of its business day. */
export const TIMER_STOP_QUEUE = 'billing-timer-stop';
const LEGACY_DELIVERY_QUEUE = 'deliver';
const VACUUM_INTERVAL_MS = 30 * 60_000;

/** Wakes one row of the `timers` table (first-contact and activation reminders, #23). */
export const TIMER_QUEUE = 'timer';

export interface TimerJob {
  key: string;
}

export interface DeliveryJob {
  deliveryId: string;
}

/** SQL that queues one delivery job per `queued` row of CTE `source` (see src/db/sql/delivery-job-insert.ts). */
export function deliveryJobInsertSql(source: string): string {
  return jobInsertSql(source, DELIVERY_QUEUE);
}

/**
 * pg-boss 10 on the app's own database. Jobs are sent with the caller's transaction, so a job
 * exists exactly when the change that caused it committed. Workers poll; `wake()` after a commit
 * makes the local worker fetch at once instead of waiting for the next poll.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly workerIds: string[] = [];
  private started = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Job handlers still running: a stop waits for them before the store may close. */
  private readonly handlersRunning = new Set<Promise<unknown>>();
  private lastError?: string;
  private vacuumTimer?: NodeJS.Timeout;

  constructor(
    private readonly database: Database,
    private readonly options: {
      pollIntervalMs: number;
      /** A job running longer is failed by pg-boss; the delivery's lease guards the send anyway. */
      expireInSeconds?: number;
      onError?: (error: Error) => void;
    },
  ) {
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => this.track(database.sql.query(text, values)) },
      schema: 'pgboss',
      // Cron scheduling is not used; its clock checks are only load on the single PGlite connection.
      schedule: false,
      // Maintenance also hands back jobs of a crashed worker after their expiry (server mode).
      maintenanceIntervalSeconds: 60,
    });
    this.boss.on('error', (error) => {
      this.lastError = error.message;
      options.onError?.(error);
    });
  }

  async start(): Promise<void> {
    await this.boss.start();
    // Retries belong to the outbox (back-off, retry_after, max age): pg-boss retries would come
    // on top of them, so none. A job that dies with its worker expires; the sweeper re-queues.
    const queueOptions = {
      policy: 'short' as const,
      retryLimit: 0,
      expireInSeconds: this.options.expireInSeconds ?? 900,
    };
    await this.boss.createQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, ...queueOptions });
    await this.boss.updateQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, ...queueOptions });
    // Timer stops: a failed stop is tried again (it only acts on a timer still running).
    await this.boss.createQueue(TIMER_STOP_QUEUE, {
      name: TIMER_STOP_QUEUE,
      policy: 'standard',
      retryLimit: 5,
    });
    // A timer's row records whether it fired, so a job that runs twice does its work once.
    const timerOptions = { name: TIMER_QUEUE, policy: 'standard' as const, retryLimit: 3, retryDelay: 30 };
    await this.boss.createQueue(TIMER_QUEUE, timerOptions);
    await this.boss.updateQueue(TIMER_QUEUE, timerOptions);
    // Jobs of the old queue are not needed: the sweeper finds their deliveries.
    if (await this.boss.getQueue(LEGACY_DELIVERY_QUEUE)) await this.boss.deleteQueue(LEGACY_DELIVERY_QUEUE);
    if (this.database.kind === 'embedded') {
      // The data-dir lock proves no other process runs, so a job still marked active was cut off
      // by a crash: hand it back now instead of waiting for its expiry. Its delivery row tells
      // the worker whether the send already happened.
      await retryActiveJobs(this.database.sql, DELIVERY_QUEUE);
    }
    if (this.database.kind === 'embedded') {
      // PGlite runs no autovacuum: without this the queue's dead rows and stale statistics pile up.
      this.vacuumTimer = setInterval(() => {
        vacuumAnalyze(this.database.sql).catch((error: Error) => this.options.onError?.(error));
      }, VACUUM_INTERVAL_MS);
      this.vacuumTimer.unref();
    }
    this.started = true;
  }

  /**
   * Adds a delivery job inside `tx`: it exists only if the transaction commits. Nothing is added
   * when the delivery already has a waiting job.
   */
  async enqueueDelivery(tx: Tx, deliveryId: string, startAfter?: Date): Promise<void> {
    await this.boss.send(DELIVERY_QUEUE, { deliveryId } satisfies DeliveryJob, {
      startAfter,
      singletonKey: deliveryId,
      db: { executeSql: (text, values) => tx.sql.query(text, values) },
    });
  }

  /**
   * Makes the delivery's one waiting job run at `startAfter` (a retry time): a job already
   * waiting for it (say the one created with the delivery, not fetched yet while a chain sent
   * it) is moved there, otherwise one is added. Adding alone would do nothing next to a waiting
   * job (one per delivery), which then ran early, found the delivery not due and left it to the
   * sweeper. Inside `tx`.
   */
  async enqueueDeliveryAt(tx: Tx, deliveryId: string, startAfter: Date): Promise<void> {
    const moved = await rescheduleWaitingJob(tx.sql, {
      queue: DELIVERY_QUEUE,
      singletonKey: deliveryId,
      startAfter,
    });
    if (!moved) await this.enqueueDelivery(tx, deliveryId, startAfter);
  }

  /**
   * The timer's one waiting job runs at `startAfter`: a waiting job with its key is moved there
   * (a deadline moved by an activation or a closure), otherwise one is added. Inside `tx`.
   */
  async scheduleTimerJob(tx: Tx, key: string, startAfter: Date): Promise<void> {
    const moved = await rescheduleWaitingJob(tx.sql, {
      queue: TIMER_QUEUE,
      singletonKey: key,
      startAfter,
      includeRetrying: true,
    });
    if (moved) return;
    await this.boss.send(TIMER_QUEUE, { key } satisfies TimerJob, {
      startAfter,
      singletonKey: key,
      db: { executeSql: (text, values) => tx.sql.query(text, values) },
    });
  }

  /**
   * Starts the worker that fires due business-calendar timers (first contact, activation,
   * appointment reminders, #23); `handler` is told each job's timer key.
   */
  async workBusinessTimers(handler: (key: string) => Promise<void>): Promise<void> {
    const id = await this.boss.work<TimerJob>(
      TIMER_QUEUE,
      { batchSize: 5, pollingIntervalSeconds: Math.max(0.5, this.options.pollIntervalMs / 1000) },
      this.runningHandler(async (jobs) => {
        for (const job of jobs) await handler(job.data.key);
      }),
    );
    this.workerIds.push(id);
  }

  /**
   * Starts a worker that fetches up to `batchSize` jobs at a time and hands the batch to
   * `handler` (which claims its deliveries in one statement).
   */
  async workDeliveries(
    handler: (jobs: DeliveryJob[]) => Promise<void>,
    options: { batchSize: number } = { batchSize: 10 },
  ): Promise<void> {
    const id = await this.boss.work<DeliveryJob>(
      DELIVERY_QUEUE,
      {
        batchSize: options.batchSize,
        pollingIntervalSeconds: Math.max(0.5, this.options.pollIntervalMs / 1000),
      },
      this.runningHandler(async (jobs) => {
        // Never throws: a throw would fail (and with retries, re-run) the whole batch. The
        // handler records each delivery's outcome itself; an error it could not record leaves
        // the row leased, and the sweeper takes it up after the lease.
        try {
          await handler(jobs.map((job) => job.data));
        } catch (error) {
          this.options.onError?.(error as Error);
        }
      }),
    );
    this.workerIds.push(id);
  }

  /** Billing (#24): the timer `entryId` stops itself at `at`; inside `tx`, so only if it committed. */
  async enqueueTimerStop(tx: Tx, entryId: string, at: Date): Promise<void> {
    await this.boss.send(
      TIMER_STOP_QUEUE,
      { entryId },
      {
        startAfter: at,
        singletonKey: entryId,
        db: { executeSql: (text, values) => tx.sql.query(text, values) },
      },
    );
  }

  /** Runs `handler` for each timer due to stop itself; a throw retries the job later. */
  async workTimerStops(handler: (entryId: string) => Promise<void>): Promise<void> {
    const id = await this.boss.work<{ entryId: string }>(
      TIMER_STOP_QUEUE,
      { pollingIntervalSeconds: Math.max(0.5, this.options.pollIntervalMs / 1000) },
      this.runningHandler(async (jobs) => {
        for (const job of jobs) await handler(job.data.entryId);
      }),
    );
    this.workerIds.push(id);
  }

  deliveryJobInsertSql(source: string): string {
    return deliveryJobInsertSql(source);
  }

  /**
   * A timer job (consent expiry) on queue `name`, due at `startAfter`, inside `tx`: it exists
   * only if the transaction commits. The queue is created by {@link workTimers}.
   */
  async enqueueTimer(tx: Tx, name: string, data: Record<string, string>, startAfter: Date): Promise<void> {
    await this.boss.send(name, data, {
      startAfter,
      db: { executeSql: (text, values) => tx.sql.query(text, values) },
    });
  }

  /** Creates the timer queue `name` unless it exists (a job sent to a missing queue is lost). */
  async createTimerQueue(name: string): Promise<void> {
    if (!(await this.boss.getQueue(name))) {
      await this.boss.createQueue(name, { name, retryLimit: 5, retryBackoff: true, retryDelay: 5 });
    }
  }

  /**
   * Creates the timer queue `name` and works it: each due job is handed to `handler`; a throw
   * retries it (pg-boss, up to 5 times with back-off).
   */
  async workTimers(name: string, handler: (data: Record<string, string>) => Promise<void>): Promise<void> {
    await this.createTimerQueue(name);
    const id = await this.boss.work<Record<string, string>>(
      name,
      { batchSize: 5, pollingIntervalSeconds: Math.max(0.5, this.options.pollIntervalMs / 1000) },
      this.runningHandler(async (jobs) => {
        for (const job of jobs) await handler(job.data);
      }),
    );
    this.workerIds.push(id);
  }

  /** Wake local workers after a commit that enqueued work. */
  wake(): void {
    for (const id of this.workerIds) this.boss.notifyWorker(id);
  }

  async countPending(): Promise<number> {
    return this.boss.getQueueSize(DELIVERY_QUEUE);
  }

  health(): { ok: boolean; detail?: string } {
    return this.started ? { ok: true } : { ok: false, detail: this.lastError ?? 'not started' };
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.vacuumTimer);
    // Graceful: wait for in-flight sends to finish so none is cut half-way.
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000, close: false });
    // pg-boss marks a finished job complete without awaiting it, and may report itself stopped
    // first: wait for its statements still running, or the store closes under them.
    // A handler past the graceful timeout may still be sending (each send has its own timeout);
    // then pg-boss completes its job. Wait for both, at most a minute more.
    const deadline = Date.now() + 60_000;
    while (this.handlersRunning.size + this.inFlight.size > 0 && Date.now() < deadline) {
      const left = new Promise((resolve) => setTimeout(resolve, deadline - Date.now()).unref());
      await Promise.race([Promise.allSettled([...this.handlersRunning]), left]);
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.race([Promise.allSettled([...this.inFlight]), left]);
    }
  }

  /** `handler`, its runs kept in {@link handlersRunning} until they settle (see stop). */
  private runningHandler<J>(handler: (jobs: J) => Promise<void>): (jobs: J) => Promise<void> {
    return (jobs) => {
      const run = handler(jobs);
      this.handlersRunning.add(run);
      const forget = () => this.handlersRunning.delete(run);
      run.then(forget, forget);
      return run;
    };
  }

  /** Keeps a statement pg-boss runs on its own until it settles (see stop). */
  private track<T>(query: Promise<T>): Promise<T> {
    this.inFlight.add(query);
    const forget = () => this.inFlight.delete(query);
    query.then(forget, forget);
    return query;
  }
}
