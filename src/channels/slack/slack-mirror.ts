/**
 * What the technicians' channel shows, kept in step with the store by one loop: a card per
 * ticket (posted, then updated with `chat.update`), each customer message in its ticket's thread
 * with its files, staff alerts, held technician replies queued when their hold is over, and the
 * ✅/⚠️ receipts of relayed replies. Everything it has done is recorded in the store, so after a
 * restart or a Slack outage it carries on where it stopped, in order, and posts nothing twice.
 */

import { eq } from 'drizzle-orm';
import type { CoreContext } from '../../core/core-context.js';
import { slackRelays } from '../../db/schema.js';
import { attachmentContents } from '../../db/sql/attachment-contents.js';
import type { Logger } from '../../logger.js';
import { alertText, customerMessageTexts, type TicketCardView, ticketCard } from './slack-blocks.js';
import type { SlackPoster } from './slack-poster.js';
import { queueDueRelays } from './slack-relay.js';
import {
  postOfMessage,
  relaysAwaitingReceipt,
  savePost,
  saveThread,
  updateCardState,
} from './slack-store.js';

const ALERT_CURSOR = 'slack:mirror:alert';

// The card's state, computed by the store so that any change of what the card shows is seen. It
// starts with the status: a closed ticket whose card already says so is never looked at again.
const STATE_SQL = `md5(concat_ws('|', coalesce(t.assignee, '-'), coalesce(t.first_contact_due_at::text, '-'),
  coalesce(t.first_contact_at::text, '-'), c.name, c.status, coalesce(c.hourly_rate_cents::text, '-'),
  c.quick_access::text)) || ':' || t.status`;

const CARDS_SQL = `select t.id::text as id, t.number, t.subject, t.status, t.origin_channel, t.assignee,
    t.first_contact_due_at, t.first_contact_at, c.name, c.status as customer_status, c.hourly_rate_cents,
    c.quick_access, st.thread_ts, st.channel_id, ${STATE_SQL} as state,
    (select m.id::text from messages m where m.ticket_id = t.id and m.direction = 'inbound'
       order by m.id limit 1) as first_message_id
  from tickets t join customers c on c.id = t.customer_id
  left join slack_threads st on st.ticket_id = t.id
  where (st.ticket_id is null and t.status not in ('resolved', 'closed'))
     or (st.ticket_id is not null and (t.status <> 'closed' or st.card_state not like '%:closed')
         and st.card_state <> ${STATE_SQL})
  order by t.id limit 20`;

// Closed tickets get no messages (a message on one opens a new ticket): only open threads are read.
const MESSAGES_SQL = `select m.id::text as id, m.ticket_id::text as ticket_id, m.channel, m.sender_name,
    m.sender_address, m.new_text, m.disposition, m.edit_of_message_id::text as edit_of, st.channel_id, st.thread_ts
  from slack_threads st join tickets t on t.id = st.ticket_id and t.status <> 'closed'
  join messages m on m.ticket_id = st.ticket_id
  left join slack_posts sp on sp.message_id = m.id
  where sp.message_id is null and m.direction = 'inbound' and m.disposition in ('ticket', 'edit')
  order by m.id limit 20`;

const ALERTS_SQL = `select a.id::text as id, a.kind, a.text, st.channel_id, st.thread_ts from staff_alerts a
  left join slack_threads st on st.ticket_id = a.ticket_id
  where a.id > $1
    and not exists (select 1 from slack_relays r where r.delivery_id::text = a.data->>'deliveryId')
  order by a.id limit 20`;

interface CardRow {
  id: string;
  number: number;
  subject: string;
  status: string;
  origin_channel: string;
  assignee: string | null;
  first_contact_due_at: Date | string | null;
  first_contact_at: Date | string | null;
  name: string;
  customer_status: string;
  hourly_rate_cents: number | null;
  quick_access: boolean;
  thread_ts: string | null;
  channel_id: string | null;
  state: string;
  first_message_id: string | null;
}

export interface MirrorOptions {
  core: CoreContext;
  poster: SlackPoster;
  channelId: string;
  timeZone: string;
  logger: Logger;
}

const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));

export class SlackMirror {
  constructor(private readonly options: MirrorOptions) {}

  /** One pass over everything; throws on the first Slack or store error (the next pass resumes). */
  async sync(): Promise<void> {
    // Replies to customers first: they are what someone is waiting for.
    const queued = await queueDueRelays(this.options.core, this.options.logger);
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
    const { rows } = await this.db.sql.query<{ new_text: string }>(
      'select new_text from messages where id = $1',
      [messageId],
    );
    return rows[0]?.new_text ?? '';
  }

  private async syncCards(): Promise<void> {
    const { rows } = await this.db.sql.query<CardRow>(CARDS_SQL);
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
      await this.db.transaction(async (tx) => {
        await saveThread(tx.db, {
          ticketId: BigInt(row.id),
          channelId: channel,
          threadTs,
          cardState: row.state,
        });
        // The card shows the first message; its files go into the thread below.
        if (row.first_message_id) await savePost(tx.db, BigInt(row.first_message_id), channel, threadTs);
      });
      if (row.first_message_id) await this.uploadFiles(row.first_message_id, channel, threadTs);
    }
  }

  /**
   * `chat.update` of an existing card; false when the card is gone (deleted in Slack, channel
   * archived), so a new card is posted and linked instead.
   */
  private async updateCard(row: CardRow, card: { text: string; blocks: unknown[] }): Promise<boolean> {
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
    const { rows } = await this.db.sql.query<{
      id: string;
      channel: string;
      sender_name: string | null;
      sender_address: string | null;
      new_text: string;
      disposition: string;
      edit_of: string | null;
      channel_id: string;
      thread_ts: string;
    }>(MESSAGES_SQL);
    const { poster } = this.options;
    for (const row of rows) {
      const omitted = await this.db.sql.query<{ filename: string; omitted_reason: string }>(
        'select filename, omitted_reason from attachments where message_id = $1 and content is null',
        [row.id],
      );
      const texts = customerMessageTexts({
        senderName: row.sender_name ?? row.sender_address ?? 'Cliente',
        channel: row.channel,
        text: row.new_text,
        edited: row.disposition === 'edit',
        omittedFiles: omitted.rows.map((a) => `${a.filename}: ${a.omitted_reason}`),
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
      await savePost(this.db.db, BigInt(row.id), row.channel_id, firstTs ?? row.thread_ts);
      await this.uploadFiles(row.id, row.channel_id, row.thread_ts);
    }
  }

  /** Uploads a stored message's kept attachments into the thread (files API, v2 upload flow). */
  private async uploadFiles(messageId: string, channel: string, threadTs: string): Promise<void> {
    // Whole contents: a large one is stored in pieces (src/db/stored-chunks.ts).
    const rows = await attachmentContents(this.db.sql, messageId);
    const { poster } = this.options;
    for (const file of rows) {
      await poster.post(channel, () =>
        poster.client.files.uploadV2({
          channel_id: channel,
          thread_ts: threadTs,
          file: Buffer.from(file.content),
          filename: file.filename,
        }),
      );
    }
  }

  private async syncAlerts(): Promise<void> {
    const { core } = this.options;
    let cursor = await this.alertCursor();
    const { rows } = await this.db.sql.query<{
      id: string;
      kind: string;
      text: string;
      channel_id: string | null;
      thread_ts: string | null;
    }>(ALERTS_SQL, [cursor]);
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
      await this.db.sql.query(
        `insert into channel_checkpoints (key, value, updated_at) values ($1, $2::jsonb, $3)
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
        [ALERT_CURSOR, JSON.stringify(cursor), core.now()],
      );
    }
  }

  /** Alerts raised before Slack was first turned on are not posted: the cursor starts at the newest. */
  private async alertCursor(): Promise<string> {
    const { rows } = await this.db.sql.query<{ value: string }>(
      'select value from channel_checkpoints where key = $1',
      [ALERT_CURSOR],
    );
    if (rows[0]) return String(rows[0].value);
    const latest = await this.db.sql.query<{ id: string | null }>(
      'select max(id)::text as id from staff_alerts',
    );
    const start = latest.rows[0]?.id ?? '0';
    await this.db.sql.query(
      `insert into channel_checkpoints (key, value) values ($1, $2::jsonb) on conflict (key) do nothing`,
      [ALERT_CURSOR, JSON.stringify(start)],
    );
    return start;
  }

  /** ✅ on a relayed reply the channel accepted; ⚠️ and the reason in the thread when it failed. */
  private async syncReceipts(): Promise<void> {
    const { poster, core } = this.options;
    for (const { relay, status, lastError } of await relaysAwaitingReceipt(this.db)) {
      if (status === 'sent') {
        await poster.post(relay.channelId, () =>
          poster.client.reactions.add({
            channel: relay.channelId,
            timestamp: relay.ts,
            name: 'white_check_mark',
          }),
        );
      } else {
        await poster.post(relay.channelId, () =>
          poster.client.reactions.add({ channel: relay.channelId, timestamp: relay.ts, name: 'warning' }),
        );
        const thread = await this.db.sql.query<{ thread_ts: string }>(
          'select thread_ts from slack_threads where ticket_id = $1',
          [relay.ticketId.toString()],
        );
        await poster.post(relay.channelId, () =>
          poster.client.chat.postMessage({
            channel: relay.channelId,
            thread_ts: thread.rows[0]?.thread_ts,
            text: `:warning: Risposta di ${relay.author} NON consegnata al cliente / reply NOT delivered: ${lastError ?? 'errore sconosciuto'}`,
          }),
        );
      }
      await this.db.db
        .update(slackRelays)
        .set({ status: 'done', receiptAt: core.now() })
        .where(eq(slackRelays.id, relay.id));
    }
  }

  /** Stored Slack ts of a mirrored message (for edits shown in the thread). */
  async postOf(messageId: bigint) {
    return postOfMessage(this.db.db, messageId);
  }
}
