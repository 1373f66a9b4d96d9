/**
 * What the IMAP channel says while it works through a backlog (a mailbox connected with history,
 * a long downtime): one line saying what it will do, a progress line every few seconds, one line
 * at the end. Rules: docs/first-start.md.
 */
import type { Logger } from '../../logger.js';

/** A backlog this large is reported even when it is not the mailbox's first start. */
export const REPORTED_BACKLOG = 200;
const PROGRESS_EVERY_MS = 5000;

/** Reports one sync's progress through its mails. */
export class ImportProgress {
  private done = 0;
  private lastReport: number;

  constructor(
    private readonly logger: Logger,
    private readonly total: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.lastReport = clock();
  }

  /** Counts `count` more mails done; logs a line when the last one is a few seconds old. */
  advance(count: number): void {
    this.done += count;
    const now = this.clock();
    if (now - this.lastReport < PROGRESS_EVERY_MS || this.done >= this.total) return;
    this.lastReport = now;
    this.logger.info(
      { done: this.done, total: this.total },
      `IMAP import: ${this.done} / ${this.total} mails`,
    );
  }

  finish(): void {
    this.logger.info(
      { done: this.done, total: this.total },
      `IMAP import finished: ${this.done} mails stored`,
    );
  }
}

/** The opening line of a first start or a large backlog: what will be imported and answered. */
export function announceImport(
  logger: Logger,
  facts: {
    firstStart: boolean;
    total: number;
    skipped: number;
    importSince?: Date;
    ackMaxAgeHours: number;
    mailbox: string;
  },
): void {
  const since = facts.importSince ? facts.importSince.toISOString() : 'the beginning';
  logger.info(
    {
      mailbox: facts.mailbox,
      toImport: facts.total,
      leftAlone: facts.skipped,
      importSince: facts.importSince?.toISOString(),
      ackMaxAgeHours: facts.ackMaxAgeHours,
    },
    `${facts.firstStart ? 'First start on this mailbox' : 'Mail backlog'}: importing ${facts.total} mails received since ${since}` +
      `${facts.skipped > 0 ? ` (${facts.skipped} older mails left alone, see IMAP_IMPORT_SINCE)` : ''}; ` +
      `mails older than ${facts.ackMaxAgeHours} h are stored without any automatic answer (IMAP_ACK_MAX_AGE_HOURS)`,
  );
}
