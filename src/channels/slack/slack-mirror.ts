/**
 * What the technicians' channel shows, kept in step with the store by one loop: a card per
 * ticket (posted, then updated with `chat.update`), each customer message in its ticket's thread
 * with its files, staff alerts, held technician replies queued when their hold is over, and the
 * ✅/⚠️ receipts of relayed replies. Everything it has done is recorded in the store, so after a
 * restart or a Slack outage it carries on where it stopped, in order, and posts nothing twice.
 */

import { eq } from 'drizzle-orm';
import { alertStaff } from '../../core/audit.js';
import type { CoreContext } from '../../core/core-context.js';
import { slackRelays } from '../../db/schema.js';
import { messageText } from '../../db/sql/message-text.js';
import { newestStaffAlertId } from '../../db/sql/newest-staff-alert-id.js';
import { omittedAttachments } from '../../db/sql/omitted-attachments.js';
import { readCheckpoint } from '../../db/sql/read-checkpoint.js';
import { saveCheckpoint } from '../../db/sql/save-checkpoint.js';
import { slackAlertsAfter } from '../../db/sql/slack-alerts-after.js';
import { type SlackCardRow, slackCardsToSync } from '../../db/sql/slack-cards-to-sync.js';
import { slackMessagesToMirror } from '../../db/sql/slack-messages-to-mirror.js';
import type { Logger } from '../../logger.js';
import { escapeChatMarkup } from '../../templates/format.js';
import { alertText, customerMessageTexts, type TicketCardView, ticketCard } from './slack-blocks.js';
import { addReaction, type SlackPoster, slackErrorCode } from './slack-poster.js';
import { queueDueRelays, type RelayFiles } from './slack-relay.js';
import {
  postOfMessage,
  relaysAwaitingReceipt,
  savePost,
  saveThread,
  threadOfTicket,
  updateCardState,
} from './slack-store.js';
import { hasFiles, resumeUploads, uploadFiles } from './slack-thread-files.js';

const ALERT_CURSOR = 'slack:mirror:alert';

export interface MirrorOptions {
  core: CoreContext;
  poster: SlackPoster;
  channelId: string;
  timeZone: string;
  logger: Logger;
  /** Relaying technicians' files: download, the customer channel's limits, the thread notice. */
  relayFiles: RelayFiles;
}

const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));

/** Passes that may fail on one receipt Slack keeps refusing before it is given up. */
export const RECEIPT_ATTEMPTS = 5;

export class SlackMirror {
  private cursorReady = false;
  /** relay id → passes that failed on its receipt with a Slack error (in memory). */
  private readonly receiptFailures = new Map<bigint, number>();

  constructor(private readonly options: MirrorOptions) {}

  /** One pass over everything; throws on the first Slack or store error (the next pass resumes). */
  async sync(): Promise<void> {
    // On the very first start the alert cursor is fixed before anything else, so an alert raised
    // while this pass posts cards is still posted.
    if (!this.cursorReady) {
      await this.alertCursor();
      this.cursorReady = true;
    }
    // Replies to customers first: they are what someone is waiting for.
    const queued = await queueDueRelays(this.options.core, this.options.logger, this.options.relayFiles);
    if (queued) this.options.core.jobs.wake();
    await this.syncCards();
    await this.syncMessages();
    await this.syncAlerts();
    await this.syncReceipts();
  }

  private get db() {
    return this.options.core.database;
  }

  private async firstText(messageId: string | null): Promise<string> {
    if (!messageId) return '';
    return (await messageText(this.db.sql, messageId)) ?? '';
  }

  private async syncCards(): Promise<void> {
    const rows = await slackCardsToSync(this.db.sql);
    for (const row of rows) {
      const view: TicketCardView = {
        number: Number(row.number),
        subject: row.subject,
        status: row.status,
        originChannel: row.origin_channel,
        customer: {
          name: row.name,
          status: row.customer_status,
          hourlyRateCents: row.hourly_rate_cents ?? this.options.core.settings.hourlyRateCents,
          quickAccess: row.quick_access,
        },
        firstText: await this.firstText(row.first_message_id),
        assignee: row.assignee,
        firstContactDueAt: toDate(row.first_contact_due_at),
        firstContactAt: toDate(row.first_contact_at),
        timeZone: this.options.timeZone,
      };
      const card = ticketCard(view);
      const { poster } = this.options;
      if (row.thread_ts && row.channel_id && (await this.updateCard(row, card))) continue;
      const channel = this.options.channelId;
      const posted = await poster.post(channel, () =>
        poster.client.chat.postMessage({
          channel,
          text: card.text,
          blocks: card.blocks as never,
          unfurl_links: false,
        }),
      );
      const threadTs = posted.ts!;
      const withFiles = row.first_message_id ? await hasFiles(this.db, row.first_message_id) : false;
      await this.db.transaction(async (tx) => {
        await saveThread(tx.db, {
          ticketId: BigInt(row.id),
          channelId: channel,
          threadTs,
          cardState: row.state,
        });
        // The card shows the first message; its files go into the thread below.
        if (row.first_message_id) {
          await savePost(tx.db, BigInt(row.first_message_id), channel, threadTs, withFiles);
        }
      });
      if (row.first_message_id) {
        await uploadFiles(this.db, poster, row.first_message_id, channel, threadTs);
      }
    }
  }

  /**
   * `chat.update` of an existing card; false when the card is gone (deleted in Slack, channel
   * archived), so a new card is posted and linked instead.
   */
  private async updateCard(row: SlackCardRow, card: { text: string; blocks: unknown[] }): Promise<boolean> {
    const { poster } = this.options;
    try {
      await poster.post(row.channel_id!, () =>
        poster.client.chat.update({
          channel: row.channel_id!,
          ts: row.thread_ts!,
          text: card.text,
          blocks: card.blocks as never,
        }),
      );
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code !== 'message_not_found' && code !== 'channel_not_found' && code !== 'is_archived') throw error;
      this.options.logger.warn({ ticketId: row.id, code }, 'slack: card gone; posting a new one');
      return false;
    }
    await updateCardState(this.db.db, BigInt(row.id), row.state);
    return true;
  }

  private async syncMessages(): Promise<void> {
    const rows = await slackMessagesToMirror(this.db.sql);
    const { poster } = this.options;
    // Files a Slack outage left half-way go before any later message.
    await resumeUploads(this.db, poster);
    for (const row of rows) {
      const omitted = await omittedAttachments(this.db.sql, row.id);
      const texts = customerMessageTexts({
        senderName: row.sender_name ?? row.sender_address ?? 'Cliente',
        channel: row.channel,
        text: row.new_text,
        edited: row.disposition === 'edit',
        omittedFiles: omitted.map((a) => `${a.filename}: ${a.omitted_reason}`),
      });
      let firstTs: string | undefined;
      for (const text of texts) {
        const posted = await poster.post(row.channel_id, () =>
          poster.client.chat.postMessage({
            channel: row.channel_id,
            thread_ts: row.thread_ts,
            text,
            unfurl_links: false,
            unfurl_media: false,
          }),
        );
        firstTs ??= posted.ts;
      }
      const withFiles = await hasFiles(this.db, row.id);
      await savePost(this.db.db, BigInt(row.id), row.channel_id, firstTs ?? row.thread_ts, withFiles);
      await uploadFiles(this.db, poster, row.id, row.channel_id, row.thread_ts);
    }
  }

  private async syncAlerts(): Promise<void> {
    const { core } = this.options;
    let cursor = await this.alertCursor();
    const rows = await slackAlertsAfter(this.db.sql, cursor);
    const { poster } = this.options;
    for (const row of rows) {
      const channel = row.channel_id ?? this.options.channelId;
      await poster.post(channel, () =>
        poster.client.chat.postMessage({
          channel,
          thread_ts: row.thread_ts ?? undefined,
          text: alertText(row),
          unfurl_links: false,
        }),
      );
      cursor = row.id;
      await saveCheckpoint(this.db.sql, { key: ALERT_CURSOR, value: cursor, updatedAt: core.now() });
    }
  }

  /** Alerts raised before Slack was first turned on are not posted: the cursor starts at the newest. */
  private async alertCursor(): Promise<string> {
    const stored = await readCheckpoint(this.db.sql, ALERT_CURSOR);
    if (stored !== undefined) return String(stored);
    const start = (await newestStaffAlertId(this.db.sql)) ?? '0';
    await saveCheckpoint(this.db.sql, { key: ALERT_CURSOR, value: start, onlyIfAbsent: true });
    return start;
  }

  /**
   * ✅ on a relayed reply the channel accepted; ⚠️ and the reason in the thread when it failed.
   * A receipt Slack already shows (`already_reacted`, after a crash) or can no longer show (the
   * reply was deleted) is done. One that Slack keeps refusing is tried {@link RECEIPT_ATTEMPTS}
   * times (the loop backs off between passes), then given up with one log line and one staff alert,
   * so it never holds the passes back for good.
   */
  private async syncReceipts(): Promise<void> {
    const { core, logger } = this.options;
    for (const { relay, status, lastError } of await relaysAwaitingReceipt(this.db)) {
      try {
        await this.placeReceipt(relay, status, lastError);
        this.receiptFailures.delete(relay.id);
      } catch (error) {
        const code = slackErrorCode(error);
        // No Slack answer (network, timeout, rate limit): Slack is away, not refusing this receipt.
        if (!code) throw error;
        const attempts = (this.receiptFailures.get(relay.id) ?? 0) + 1;
        this.receiptFailures.set(relay.id, attempts);
        if (attempts < RECEIPT_ATTEMPTS) throw error;
        this.receiptFailures.delete(relay.id);
        logger.error({ relayId: String(relay.id), code, attempts }, 'slack: receipt given up');
        await this.db.transaction((tx) =>
          alertStaff(tx, {
            kind: 'slack_receipt_failed',
            ticketId: relay.ticketId,
            text: `Slack rifiuta la ricevuta (${status === 'sent' ? '✅' : '⚠️'}) di una risposta di ${relay.author} dopo ${attempts} tentativi: ${code}. / Slack refuses the receipt of a reply after ${attempts} attempts: ${code}.`,
            data: { relayId: String(relay.id), code, deliveryStatus: status },
          }),
        );
      }
      await this.db.db
        .update(slackRelays)
        .set({ status: 'done', receiptAt: core.now() })
        .where(eq(slackRelays.id, relay.id));
    }
  }

  private async placeReceipt(
    relay: { id: bigint; channelId: string; ts: string; ticketId: bigint; author: string },
    status: string,
    lastError: string | null,
  ): Promise<void> {
    const { poster, logger } = this.options;
    const name = status === 'sent' ? 'white_check_mark' : 'warning';
    const placed = await addReaction(poster, { channel: relay.channelId, ts: relay.ts, name });
    if (placed === 'gone')
      logger.info({ relayId: String(relay.id) }, 'slack: relayed reply gone; no receipt');
    if (status === 'sent') return;
    const thread = await threadOfTicket(this.db.db, relay.ticketId);
    await poster.post(relay.channelId, () =>
      poster.client.chat.postMessage({
        channel: relay.channelId,
        thread_ts: thread?.threadTs,
        text: `:warning: Risposta di ${escapeChatMarkup(relay.author)} NON consegnata al cliente / reply NOT delivered: ${escapeChatMarkup(lastError ?? 'errore sconosciuto / unknown error')}`,
        unfurl_links: false,
      }),
    );
  }

  /** Stored Slack ts of a mirrored message (for edits shown in the thread). */
  async postOf(messageId: bigint) {
    return postOfMessage(this.db.db, messageId);
  }
}
