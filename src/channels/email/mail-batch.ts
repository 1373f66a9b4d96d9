import type { ChannelContext, InboundMessage } from '../../core/channel.js';
import { errorSummary } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { dmarcVerdict } from './authentication-results.js';
import { cappedRawInput, megabytes, type OversizeNote } from './oversize-mail.js';
import type { MailParsePool } from './parse-pool.js';

/** One mail as fetched from the mailbox. */
export interface RawMail {
  uid: number;
  /** The whole mail, or for an oversize one the stand-in of its headers and first text part. */
  source: Buffer;
  /** The IMAP internal date: when the mail reached the mailbox. */
  internalDate?: Date;
  /** Set when the mail was over `maxMailBytes` and only its start was fetched. */
  oversize?: OversizeNote;
}

/** A fetched mail after parsing: the message, or why it could not be parsed. */
interface ParsedMail extends RawMail {
  message?: InboundMessage;
  failure?: string;
}

export interface MailBatchOptions {
  maxAttachmentBytes: number;
  maxMailBytes: number;
  /** The raw source kept of one mail, at most (MAX_RAW_INPUT_MB). */
  maxRawInputBytes: number;
  /** Our own sending address: mail from it (or its +token variants) is our own coming back. */
  ownAddress?: string;
  /** Our support address's own groups or lists (MAIL_OWN_LISTS). */
  ownLists?: string[];
  /** Mail that reached the mailbox longer ago than this is stored without automatic answers. */
  ackMaxAgeMs?: number;
  /** authserv-ids whose Authentication-Results verdict we trust (the mailbox provider's). */
  trustedAuthservIds?: readonly string[];
  now: () => Date;
  logger: Logger;
  /** Parses each mail off the main thread, within a time budget. */
  parser: MailParsePool;
  /** Counted here: mails stored, and mails kept raw as failed input. */
  stats: { ingested: number; failed: number };
}

/**
 * Mails handed to the store at once, at most; and their raw bytes. The embedded store writes a
 * transaction on the main thread (~30–40 ms per MB at commit), so a group stays near 1 MB.
 */
const GROUP_MAILS = 16;
const GROUP_BYTES = 1024 * 1024;

/**
 * Parses a fetched batch in mailbox order and hands it to the store a group at a time (up to 16
 * mails or 1 MB), in that order, so the store can keep a group in one transaction; each mail still
 * gets its own outcome. A mail that cannot be parsed or stored is kept raw with the reason; if
 * even that fails the store is down and this throws, so the checkpoint stays before this batch.
 */
export async function ingestMailBatch(
  context: ChannelContext,
  sources: RawMail[],
  options: MailBatchOptions,
): Promise<Set<number>> {
  const heldCredentials = new Set<number>();
  let group: ParsedMail[] = [];
  let groupBytes = 0;
  for (const mail of sources) {
    group.push(await parse(mail, options));
    groupBytes += mail.source.length;
    if (group.length >= GROUP_MAILS || groupBytes >= GROUP_BYTES) {
      await ingestGroup(context, group, options, heldCredentials);
      group = [];
      groupBytes = 0;
    }
  }
  await ingestGroup(context, group, options, heldCredentials);
  return heldCredentials;
}

async function parse(mail: RawMail, options: MailBatchOptions): Promise<ParsedMail> {
  try {
    const message = await options.parser.parse(mail.source, {
      maxAttachmentBytes: options.maxAttachmentBytes,
      maxMailBytes: options.maxMailBytes,
      now: options.now(),
      own: { address: options.ownAddress?.toLowerCase(), ownLists: options.ownLists },
    });
    const age = mail.internalDate ? options.now().getTime() - mail.internalDate.getTime() : 0;
    if (options.ackMaxAgeMs !== undefined && age > options.ackMaxAgeMs) {
      message.noAutomaticAnswer = `reached the mailbox ${Math.floor(age / 3600_000)} h ago (over IMAP_ACK_MAX_AGE_HOURS)`;
    }
    if (mail.internalDate) message.arrivedAt = mail.internalDate;
    message.senderVerification = dmarcVerdict(mail.source, options.trustedAuthservIds ?? []);
    if (!message.automated && isOwnAddress(options.ownAddress, message.sender.address)) {
      message.automated = { kind: 'other', reason: 'sent from our own address' };
    }
    message.raw = rawOf(mail, options);
    if (mail.oversize) message.attachments.push(...mail.oversize.omitted);
    return { ...mail, message };
  } catch (error) {
    return { ...mail, failure: `parse failed: ${errorSummary(error)}` };
  }
}

/** Submits every mail of the group now, in order (the store queues them in call order). */
async function ingestGroup(
  context: ChannelContext,
  group: ParsedMail[],
  options: MailBatchOptions,
  heldCredentials: Set<number>,
): Promise<void> {
  const results = await Promise.allSettled(
    group.map(async (mail) => {
      if (await ingestParsed(context, mail, options)) heldCredentials.add(mail.uid);
    }),
  );
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
}

async function ingestParsed(
  context: ChannelContext,
  mail: ParsedMail,
  options: MailBatchOptions,
): Promise<boolean> {
  let failure = mail.failure;
  if (mail.message) {
    const message = mail.message;
    try {
      // One retry: a passing store error should not turn a good mail into a failed input.
      const outcome = await context.ingest(message).catch(() => context.ingest(message));
      options.stats.ingested++;
      if (mail.oversize && outcome.status !== 'duplicate')
        await alertOversize(context, mail, message, options);
      return outcome.heldCredentials === true;
    } catch (error) {
      failure = `ingest failed: ${errorSummary(error)}`;
    }
  }
  options.stats.failed++;
  options.logger.warn({ uid: mail.uid, reason: failure }, 'mail could not be ingested; keeping the raw mail');
  await context.recordFailedInput({
    channel: 'email',
    externalId: `imap-uid:${mail.uid}`,
    raw: rawOf(mail, options),
    error: failure ?? 'unknown failure',
  });
  return false;
}

/** The raw input kept: the source up to `maxRawInputBytes`, noting the whole size when cut. */
function rawOf(mail: RawMail, options: MailBatchOptions) {
  return cappedRawInput(mail.source, options.maxRawInputBytes, mail.oversize?.size);
}

async function alertOversize(
  context: ChannelContext,
  mail: RawMail,
  message: InboundMessage,
  options: MailBatchOptions,
): Promise<void> {
  const size = mail.oversize!.size;
  await context.alertStaff?.({
    kind: 'mail_oversize',
    text:
      `A mail from ${message.sender.address || 'an unknown sender'} was ${megabytes(size)}, over the ` +
      `${megabytes(options.maxMailBytes)} limit: only its headers and first text part were kept ` +
      `(${mail.oversize!.omitted.length} part(s) left on the mail server); the sender was told.`,
    data: { externalId: message.externalId, uid: mail.uid, size },
  });
}

function isOwnAddress(own: string | undefined, address: string): boolean {
  if (!own) return false;
  const ownAddress = own.toLowerCase();
  const [local, domain] = ownAddress.split('@');
  const candidate = address.toLowerCase();
  return candidate === ownAddress || (candidate.startsWith(`${local}+`) && candidate.endsWith(`@${domain}`));
}
