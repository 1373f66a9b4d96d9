import { ImapFlow } from 'imapflow';
import type { ChannelContext } from '../../core/channel.js';
import { errorSummary } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { fetchBatchSources, markBatchProcessed } from './imap-batch-mailbox.js';
import { type BatchPlan, planBatches } from './imap-batches.js';
import type { ImapIngesterSettings } from './imap-settings.js';
import {
  announceImport,
  type Checkpoint,
  ImportProgress,
  REPORTED_BACKLOG,
  startingPoint,
} from './import-progress.js';
import { ingestMailBatch, type RawMail } from './mail-batch.js';

import { MailParsePool } from './parse-pool.js';

/**
 * Watches one IMAP mailbox with IDLE and ingests every mail exactly once. The checkpoint
 * (UIDVALIDITY + last UID) is saved only after a batch is committed, so a crash re-reads a batch
 * (and the core's idempotent ingest drops the repeats) rather than skipping one. A UIDVALIDITY
 * change re-scans the whole mailbox; repeats are dropped by Message-ID. Reconnects with back-off.
 */
export class ImapIngester {
  private client?: ImapFlow;
  private context?: ChannelContext;
  private stopping = false;
  private loop?: Promise<void>;
  private syncChain: Promise<void> = Promise.resolve();
  private syncQueued = false;
  private wakeLoop?: () => void;
  /** The current sync's batches, with each mail's IMAP size and internal date. */
  private plan?: BatchPlan;
  /** Counts for tests and the benchmark. */
  readonly stats = { ingested: 0, failed: 0, connects: 0, syncs: 0 };
  /** Parses mail in a worker thread, started on the first mail and let go when idle. */
  readonly parser: MailParsePool;

  constructor(
    private readonly settings: ImapIngesterSettings,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.parser = new MailParsePool({
      timeoutMs: settings.parseTimeoutMs ?? 20_000,
      idleTimeoutMs: settings.parseIdleMs ?? 30_000,
    });
  }

  private get checkpointKey(): string {
    return `email:imap:${this.settings.user}@${this.settings.host}:${this.settings.port}/${this.settings.mailbox}`;
  }

  /** Resolves after the first connection attempt (successful or not); retries go on in the background. */
  async start(context: ChannelContext): Promise<void> {
    this.context = context;
    this.stopping = false;
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((resolve) => {
      firstAttempt = resolve;
    });
    this.loop = this.run(firstAttempt);
    await attempted;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeLoop?.();
    await this.syncChain.catch(() => undefined);
    await this.client?.logout().catch(() => undefined);
    this.client?.close();
    await this.loop;
    await this.parser.close();
  }

  /** Waits until every queued sync has finished (tests, benchmark). */
  async idle(): Promise<void> {
    let chain: Promise<void>;
    do {
      chain = this.syncChain;
      await chain.catch(() => undefined);
    } while (chain !== this.syncChain);
  }

  private async run(firstAttempt: () => void): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.connectAndWatch(firstAttempt);
        failures = 0;
      } catch (error) {
        failures++;
        this.logger.warn({ reason: errorSummary(error), failures }, 'IMAP connection failed; retrying');
      }
      firstAttempt();
      if (this.stopping) break;
      const base = this.settings.reconnectBaseMs ?? 1000;
      await this.sleep(Math.min(60_000, base * 2 ** Math.min(failures, 6)));
    }
  }

  private async connectAndWatch(connected: () => void): Promise<void> {
    const client = new ImapFlow({
      host: this.settings.host,
      port: this.settings.port,
      secure: this.settings.secure,
      auth: { user: this.settings.user, pass: this.settings.password },
      logger: false,
      autoIdleDelay: this.settings.idleDelayMs ?? 1000,
      // Plain-text servers on loopback (tests) have no STARTTLS; real servers use IMAP_SECURE.
      doSTARTTLS: this.settings.secure ? undefined : false,
    });
    this.client = client;
    const closed = new Promise<void>((resolve) => {
      client.on('close', () => resolve());
      client.on('error', (error: Error) => this.logger.warn({ reason: errorSummary(error) }, 'IMAP error'));
    });
    await client.connect();
    this.stats.connects++;
    if (this.settings.processedMailbox) {
      await client.mailboxCreate(this.settings.processedMailbox).catch(() => undefined);
    }
    await client.mailboxOpen(this.settings.mailbox);
    this.logger.info({ mailbox: this.settings.mailbox }, 'IMAP connected; watching for mail');
    client.on('exists', () => this.scheduleSync(client));
    connected();
    this.scheduleSync(client);
    const poll = setInterval(() => this.scheduleSync(client), this.settings.pollIntervalMs ?? 60_000);
    try {
      await Promise.race([closed, new Promise<void>((resolve) => (this.wakeLoop = resolve))]);
    } finally {
      clearInterval(poll);
    }
    if (!this.stopping) throw new Error('IMAP connection closed');
  }

  /** Runs at most one sync at a time, and at most one more queued behind it. */
  private scheduleSync(client: ImapFlow): void {
    if (this.syncQueued || this.stopping) return;
    this.syncQueued = true;
    this.syncChain = this.syncChain.then(async () => {
      this.syncQueued = false;
      if (this.stopping || !client.usable) return;
      try {
        await this.sync(client);
      } catch (error) {
        this.logger.warn(
          { reason: errorSummary(error) },
          'IMAP sync stopped; it resumes from the last checkpoint',
        );
        // A store failure must not leave a healthy connection idle with mail waiting.
        if (client.usable) client.close();
      }
    });
  }

  private async sync(client: ImapFlow): Promise<void> {
    const context = this.context!;
    this.stats.syncs++;
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error('no mailbox open');
    const uidValidity = String(mailbox.uidValidity);
    const saved = await context.loadCheckpoint<Checkpoint>(this.checkpointKey);
    const start = await startingPoint(client, saved, uidValidity, {
      importSince: this.settings.importSince,
      now: this.now,
      logger: this.logger,
      ackMaxAgeHours: this.settings.ackMaxAgeHours ?? 24,
      mailbox: this.settings.mailbox,
    });
    const { firstStart, firstStartAt, importSince, ackMaxAgeHours } = start;
    let { lastUid, announced } = start;
    if (firstStart) await context.saveCheckpoint(this.checkpointKey, { uidValidity, lastUid, firstStartAt });
    for (;;) {
      const from = lastUid;
      const found: number[] | false | undefined = await client.search(
        { uid: `${from + 1}:*` },
        { uid: true },
      );
      const uids = (found || []).filter((uid) => uid > from).sort((a, b) => a - b);
      if (uids.length === 0 || this.stopping) return;
      this.plan = await planBatches(client, uids, {
        maxCount: this.settings.batchSize ?? 50,
        maxBytes: this.settings.batchBytes ?? 32 * 1024 * 1024,
        importSince,
      });
      const { batches, skipped } = this.plan;
      const total = batches.reduce((sum, batch) => sum + batch.length, 0);
      const report =
        !announced && ((firstStart && this.settings.importSince !== undefined) || total >= REPORTED_BACKLOG);
      if (report) {
        announced = true;
        announceImport(this.logger, {
          firstStart,
          total,
          skipped,
          importSince,
          ackMaxAgeHours,
          mailbox: this.settings.mailbox,
        });
      }
      const progress = report ? new ImportProgress(this.logger, total) : undefined;
      // The next batch is fetched while this one is parsed and stored, so the store never waits
      // for the IMAP server; at most two batches (2 × batchBytes) are held at once.
      let next = batches.length > 0 ? this.prefetch(client, batches[0]!) : undefined;
      for (let i = 0; i < batches.length; i++) {
        const sources = await next!;
        if (this.stopping) return;
        next = i + 1 < batches.length ? this.prefetch(client, batches[i + 1]!) : undefined;
        const heldCredentials = await ingestMailBatch(context, sources, {
          maxAttachmentBytes: this.settings.maxAttachmentBytes,
          maxMailBytes: this.settings.maxMailBytes,
          maxRawInputBytes: this.settings.maxRawInputBytes,
          ownAddress: this.settings.ownAddress,
          ownLists: this.settings.ownLists,
          ackMaxAgeMs: ackMaxAgeHours * 3600_000,
          trustedAuthservIds: this.settings.trustedAuthservIds,
          now: this.now,
          logger: this.logger,
          stats: this.stats,
          parser: this.parser,
        });
        await markBatchProcessed(client, batches[i]!, heldCredentials, {
          processedMailbox: this.settings.processedMailbox,
          logger: this.logger,
        });
        lastUid = batches[i]!.at(-1)!;
        await context.saveCheckpoint(this.checkpointKey, {
          uidValidity,
          lastUid,
          firstStartAt,
        } satisfies Checkpoint);
        progress?.advance(batches[i]!.length);
      }
      progress?.finish();
      // Mail left alone (before IMAP_IMPORT_SINCE) after the last imported one is passed too.
      if (uids.at(-1)! > lastUid) {
        lastUid = uids.at(-1)!;
        await context.saveCheckpoint(this.checkpointKey, {
          uidValidity,
          lastUid,
          firstStartAt,
        } satisfies Checkpoint);
      }
    }
  }

  /** Starts fetching a batch's raw mails; a failure surfaces when the result is awaited. */
  private prefetch(client: ImapFlow, batch: number[]): Promise<RawMail[]> {
    const pending = fetchBatchSources(client, batch, this.plan, this.settings.maxMailBytes);
    pending.catch(() => undefined);
    return pending;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeLoop = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
