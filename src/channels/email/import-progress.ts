/**
 * What the IMAP channel says while it works through a backlog (a mailbox connected with history,
 * a long downtime): one line saying what it will do, a progress line every few seconds, one line
 * at the end. Rules: docs/first-start.md.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../logger.js';

/** Where the IMAP channel stands in a mailbox; saved after each stored batch. */
export interface Checkpoint {
  uidValidity: string;
  lastUid: number;
  /** When this mailbox was first read (ISO time): the default IMAP_IMPORT_SINCE. */
  firstStartAt?: string;
}

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

/**
 * Where a sync starts. At a mailbox's first start without IMAP_IMPORT_SINCE the mail already in
 * the folder is left alone: by UID, not by date, so a server clock behind ours cannot hide new
 * mail. After a UIDVALIDITY change the first start's time is the cut-off (by internal date).
 */
export async function startingPoint(
  client: ImapFlow,
  saved: Checkpoint | undefined,
  uidValidity: string,
  options: { importSince?: Date; now: () => Date; logger: Logger; ackMaxAgeHours: number; mailbox: string },
): Promise<{
  firstStart: boolean;
  firstStartAt?: string;
  importSince?: Date;
  lastUid: number;
  announced: boolean;
  ackMaxAgeHours: number;
}> {
  const { logger, ackMaxAgeHours } = options;
  let lastUid = saved?.uidValidity === uidValidity ? saved.lastUid : 0;
  if (saved && saved.uidValidity !== uidValidity) {
    logger.warn({ uidValidity }, 'UIDVALIDITY changed: re-scanning the mailbox');
  }
  const firstStart = !saved;
  const firstStartAt = saved ? saved.firstStartAt : options.now().toISOString();
  let importSince = options.importSince;
  let announced = false;
  if (firstStart && !importSince) {
    const existing = (await client.search({ all: true }, { uid: true })) || [];
    lastUid = existing.reduce((max, uid) => Math.max(max, uid), 0);
    if (existing.length > 0) {
      announced = true;
      announceImport(logger, {
        firstStart,
        total: 0,
        skipped: existing.length,
        importSince: new Date(firstStartAt!),
        ackMaxAgeHours,
        mailbox: options.mailbox,
      });
    }
  } else if (!importSince && saved && saved.uidValidity !== uidValidity && firstStartAt) {
    importSince = new Date(firstStartAt);
  }
  return { firstStart, firstStartAt, importSince, lastUid, announced, ackMaxAgeHours };
}
