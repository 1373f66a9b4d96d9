/**
 * Technicians' thread replies: what is relayed, what stays an internal note, the hold during
 * which deleting cancels and editing changes the text, and the queueing once the hold is over.
 */

import { and, eq } from 'drizzle-orm';
import type { SlackSettings } from '../../config.js';
import { slackTechnicianActor } from '../../core/actors.js';
import type { AttachmentLimits, ChannelName, InboundAttachment } from '../../core/channel.js';
import type { CoreContext } from '../../core/core-context.js';
import { errorSummary } from '../../core/errors.js';
import { fitAttachments } from '../../core/outbound-attachments.js';
import { writeTechnicianMessage } from '../../core/tickets.js';
import { slackRelays, tickets } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import type { DownloadedFile, SlackFile } from './slack-files.js';
import { dueRelays, type RelayRow } from './slack-store.js';

/** A reply's files that fail to download for a passing reason are tried again this long after it was written (ms). */
const FILE_RETRY_WINDOW_MS = 10 * 60_000;
/** Wait before the next try (ms). */
const FILE_RETRY_DELAY_MS = 30_000;

/** What relaying a reply's files needs: the download, each channel's limits, the thread notice. */
export interface RelayFiles {
  download(files: readonly SlackFile[]): Promise<DownloadedFile[]>;
  /** Files one message of the customer's channel may carry; undefined = none. */
  limitsOf(channel: ChannelName): AttachmentLimits | undefined;
  /** Tells the thread which files did not go (name: reason). */
  notifyLeftOut(relay: RelayRow, leftOut: string[]): Promise<void>;
}

export type ReplyIntent =
  | { kind: 'relay'; text: string }
  | { kind: 'note'; text: string }
  /** Explicit mode, no `>>`: technicians talking among themselves. */
  | { kind: 'chatter' };

/** The prefix that relays a reply in explicit mode. */
export const EXPLICIT_RELAY_PREFIX = '>>';

/**
 * What a technician's thread reply means. A reply starting with the note prefix (any case) is an
 * internal note; otherwise in `relay` mode it goes to the customer, in `explicit` mode only when
 * it starts with `>>`. The prefixes are removed from the text.
 */
export function classifyReply(
  text: string,
  settings: Pick<SlackSettings, 'notePrefix' | 'replyMode'>,
): ReplyIntent {
  const trimmed = text.trim();
  const prefix = settings.notePrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Slack formatting around the prefix (`*nota:*`, `_nota:_`, `~nota:~`) is still the prefix.
  const note = prefix ? new RegExp(`^[*_~]*${prefix}[*_~]*`, 'i').exec(trimmed) : null;
  if (note) return { kind: 'note', text: trimmed.slice(note[0].length).trim() };
  if (trimmed.startsWith(EXPLICIT_RELAY_PREFIX)) {
    return { kind: 'relay', text: trimmed.slice(EXPLICIT_RELAY_PREFIX.length).trim() };
  }
  return settings.replyMode === 'explicit' ? { kind: 'chatter' } : { kind: 'relay', text: trimmed };
}

/**
 * Slack message text → what the customer reads: entities decoded, `<url|label>` links as
 * "label (url)", `<url>` as the url, user and channel mentions by their label or id.
 */
export function slackToPlain(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) =>
      label === url.replace(/^mailto:/, '') ? label : `${label} (${url})`,
    )
    .replace(/<((?:https?|mailto):[^>]+)>/g, (_m, url: string) => url.replace(/^mailto:/, ''))
    .replace(/<[@#!]([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<[@#!]([^>]+)>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Queues every held reply whose hold is over: the message, its delivery and the relay's new
 * state commit together, so a restart neither loses nor doubles a reply. Returns how many.
 */
export async function queueDueRelays(core: CoreContext, logger: Logger, files: RelayFiles): Promise<number> {
  const due = await dueRelays(core.database.db, core.now());
  let queued = 0;
  for (const relay of due) {
    try {
      const attachments = await relayAttachments(core, relay, files);
      if (!attachments) continue;
      // A reply of files alone: the text names them (chat channels send no empty text).
      const text =
        relay.text ||
        attachments
          .filter((file) => file.content)
          .map((file) => `📎 ${file.filename}`)
          .join('\n');
      if (!text) {
        // Nothing left to send: every file stayed behind.
        await core.database.db
          .update(slackRelays)
          .set({ status: 'cancelled' })
          .where(and(eq(slackRelays.id, relay.id), eq(slackRelays.status, 'held')));
        await files
          .notifyLeftOut(
            relay,
            attachments.map((file) => `${file.filename}: ${file.omittedReason ?? 'not sent'}`),
          )
          .catch(() => {});
        continue;
      }
      await core.database.transaction(async (tx) => {
        const [current] = await tx.db
          .select({ status: slackRelays.status })
          .from(slackRelays)
          .where(eq(slackRelays.id, relay.id))
          .for('update');
        if (current?.status !== 'held') return;
        const [ticket] = await tx.db
          .select({ number: tickets.number })
          .from(tickets)
          .where(eq(tickets.id, relay.ticketId));
        const result = await writeTechnicianMessage(core, tx, {
          ticketNumber: ticket!.number,
          author: relay.author,
          text,
          internal: false,
          signed: true,
          actor: await slackTechnicianActor(tx, relay.userId),
          attachments,
        });
        await tx.db
          .update(slackRelays)
          .set({
            status: result.deliveryId ? 'queued' : 'done',
            messageId: result.messageId,
            deliveryId: result.deliveryId ?? null,
          })
          .where(and(eq(slackRelays.id, relay.id), eq(slackRelays.status, 'held')));
      });
      queued += 1;
      const leftOut = attachments.filter((file) => !file.content);
      if (leftOut.length) {
        await files
          .notifyLeftOut(
            relay,
            leftOut.map((file) => `${file.filename}: ${file.omittedReason ?? 'not sent'}`),
          )
          .catch((error: unknown) =>
            logger.warn({ reason: errorSummary(error) }, 'slack: files-not-sent notice not posted'),
          );
      }
    } catch (error) {
      logger.warn(
        { relayId: relay.id.toString(), reason: errorSummary(error) },
        'slack: reply could not be queued',
      );
    }
  }
  return queued;
}

/**
 * The reply's files, fetched from Slack and fitted to the customer's channel (those left out keep
 * their reason). Undefined when a download failed for a passing reason within the retry window:
 * the reply then waits a little longer (its hold is extended, so deleting it still cancels it).
 */
async function relayAttachments(
  core: CoreContext,
  relay: RelayRow,
  files: RelayFiles,
): Promise<InboundAttachment[] | undefined> {
  const listed = (relay.files as SlackFile[] | null) ?? [];
  if (listed.length === 0) return [];
  const downloaded = await files.download(listed);
  const now = core.now().getTime();
  if (downloaded.some((file) => file.transient) && now - relay.createdAt.getTime() < FILE_RETRY_WINDOW_MS) {
    await core.database.db
      .update(slackRelays)
      .set({ dueAt: new Date(now + FILE_RETRY_DELAY_MS) })
      .where(and(eq(slackRelays.id, relay.id), eq(slackRelays.status, 'held')));
    return undefined;
  }
  const [ticket] = await core.database.db
    .select({ channel: tickets.originChannel })
    .from(tickets)
    .where(eq(tickets.id, relay.ticketId));
  const channel = (ticket?.channel ?? 'api') as ChannelName;
  return fitAttachments(
    downloaded.map(({ transient: _transient, ...file }) => file),
    files.limitsOf(channel),
    channel,
  );
}
