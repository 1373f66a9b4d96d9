/**
 * Technicians' replies in a ticket's thread: relayed after the hold, kept as notes, refused for
 * non-technicians; deleting within the hold cancels, editing changes the text or, after sending,
 * edits the delivered message where the customer's channel allows it.
 */

import { and, eq } from 'drizzle-orm';
import { slackTechnicianActor } from '../../core/actors.js';
import { audit } from '../../core/audit.js';
import type { ChannelName, OutboundMessage } from '../../core/channel.js';
import { redactText } from '../../core/consent/redaction.js';
import type { CoreContext } from '../../core/core-context.js';
import { enqueueOutbound } from '../../core/outbound.js';
import { writeTechnicianMessage } from '../../core/tickets.js';
import type { Tx } from '../../db/database.js';
import { deliveries, slackRelays, slackSeenEvents, tickets } from '../../db/schema.js';
import { technicianReply } from '../../templates/customer-messages.js';
import { escapeChatMarkup } from '../../templates/format.js';
import { REDACTED_IN_SLACK, REDACTED_NOTICE } from './slack-actions.js';
import { type InboundDeps, NOT_ALLOWED, type SlackMessageEvent } from './slack-inbound.js';
import { classifyReply, slackToPlain } from './slack-relay.js';
import {
  eventKeys,
  onceForEvent,
  type RelayRow,
  relayByTs,
  threadByTs,
  threadOfTicket,
} from './slack-store.js';

/** How long a reply waits for its card's link (or a deletion for its message) posted a moment ago. */
const THREAD_LINK_WAIT_MS = 1_000;

export async function onThreadReply(
  deps: InboundDeps,
  e: SlackMessageEvent,
  eventId: string | undefined,
): Promise<void> {
  const { core, settings, poster } = deps;
  if (!e.thread_ts || e.thread_ts === e.ts || e.bot_id || !e.user) return;
  const threadTs = e.thread_ts;
  // A card is linked a moment after Slack accepted it: a reply in that moment looks once more.
  const thread =
    (await threadByTs(core.database.db, e.channel, threadTs)) ??
    (await new Promise((resolve) => setTimeout(resolve, THREAD_LINK_WAIT_MS)).then(() =>
      threadByTs(core.database.db, e.channel, threadTs),
    ));
  if (!thread) return;
  const keys = eventKeys({ eventId, channel: e.channel, ts: e.ts });
  const user = e.user;
  if (!(await deps.isTechnician(user))) {
    const first = await onceForEvent(core.database, keys, async () => {});
    if (first) {
      await poster.post(e.channel, () =>
        poster.client.chat.postEphemeral({
          channel: e.channel,
          user,
          thread_ts: e.thread_ts,
          text: NOT_ALLOWED,
        }),
      );
    }
    return;
  }
  const classified = classifyReply(slackToPlain(e.text ?? ''), settings);
  if (classified.kind === 'chatter') return;
  // Redacted before the reply is held (the hold is stored too); the core finds nothing more (T8).
  const redacted = redactText(classified.text);
  const intent = { ...classified, text: redacted.text };
  const tellRedacted = () =>
    redacted.count === 0
      ? Promise.resolve()
      : poster
          .post(e.channel, () =>
            poster.client.chat.postEphemeral({
              channel: e.channel,
              user,
              thread_ts: e.thread_ts,
              text: REDACTED_NOTICE + REDACTED_IN_SLACK,
            }),
          )
          .then(() => undefined);
  const author = await deps.nameOf(user);
  const actor = await slackTechnicianActor(core.database, user);
  // Fetched when the hold is over (a reply deleted meanwhile fetches nothing).
  const files = (e.files ?? []).map((f) => ({
    id: f.id,
    name: f.name,
    mimetype: f.mimetype,
    size: f.size,
    url_private: f.url_private,
  }));
  if (intent.kind === 'note') {
    const done = await onceForEvent(core.database, keys, async (tx) => {
      const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, thread.ticketId));
      await writeTechnicianMessage(core, tx, {
        ticketNumber: ticket!.number,
        author,
        text: intent.text,
        internal: true,
        actor,
      });
    });
    if (done) {
      await poster.post(e.channel, () =>
        poster.client.reactions.add({ channel: e.channel, timestamp: e.ts, name: 'memo' }),
      );
      await tellRedacted();
    }
    return;
  }
  if (!intent.text && files.length === 0) return;
  const held = await onceForEvent(core.database, keys, async (tx) => {
    await tx.db.insert(slackRelays).values({
      ticketId: thread.ticketId,
      channelId: e.channel,
      ts: e.ts,
      userId: user,
      author,
      text: intent.text,
      files: files.length ? files : null,
      dueAt: new Date(core.now().getTime() + settings.relayDelayMs),
    });
  });
  if (!held) return;
  await tellRedacted();
  setTimeout(() => deps.wake(), settings.relayDelayMs + 10).unref?.();
}

export async function onEdit(
  deps: InboundDeps,
  e: SlackMessageEvent,
  eventId: string | undefined,
): Promise<void> {
  const { core, settings, poster } = deps;
  const edited = e.message;
  if (!edited?.thread_ts || edited.bot_id) return;
  const relay =
    (await relayByTs(core.database.db, e.channel, edited.ts)) ??
    (await new Promise((resolve) => setTimeout(resolve, THREAD_LINK_WAIT_MS)).then(() =>
      relayByTs(core.database.db, e.channel, edited.ts),
    ));
  if (!relay || !eventId) return;
  const classified = classifyReply(slackToPlain(edited.text ?? ''), settings);
  const intent =
    classified.kind === 'chatter' ? classified : { ...classified, text: redactText(classified.text).text };
  let notice: string | undefined;
  await onceForEvent(core.database, eventKeys({ eventId }), async (tx) => {
    const [current] = await tx.db
      .select()
      .from(slackRelays)
      .where(eq(slackRelays.id, relay.id))
      .for('update');
    if (current?.status === 'held') {
      if (intent.kind === 'relay')
        await tx.db.update(slackRelays).set({ text: intent.text }).where(eq(slackRelays.id, relay.id));
      else {
        await tx.db.update(slackRelays).set({ status: 'cancelled' }).where(eq(slackRelays.id, relay.id));
        notice =
          ':no_entry_sign: Risposta annullata prima dell’invio (non è più da inoltrare). / Reply cancelled.';
      }
      return;
    }
    if (current?.status === 'cancelled') return;
    notice = await forwardEdit(core, tx, current!, intent.kind === 'relay' ? intent.text : undefined);
  });
  core.jobs.wake();
  if (notice) {
    const text = notice;
    await poster.post(e.channel, () =>
      poster.client.chat.postMessage({ channel: e.channel, thread_ts: edited.thread_ts, text }),
    );
  }
}

/**
 * A reply edited after its hold: Telegram and Slack customers get an edit of the delivered
 * message (its receipt follows the edit), email customers nothing new. Returns the thread note.
 */
async function forwardEdit(
  core: CoreContext,
  tx: Tx,
  relay: RelayRow,
  text: string | undefined,
): Promise<string> {
  const [delivery] = relay.deliveryId
    ? await tx.db.select().from(deliveries).where(eq(deliveries.id, relay.deliveryId))
    : [];
  if (text === undefined && delivery?.status === 'sent') {
    // Edited into a note (`nota:`) or out of explicit mode after the customer had it: notes stay here.
    return ':memo: Il messaggio ora è una nota interna, ma il cliente aveva già ricevuto la risposta: la modifica non gli arriva. / Now an internal note; the customer already received the reply, so the edit does not reach them.';
  }
  if (delivery?.channel === 'email') {
    return ':envelope: Il cliente ha già ricevuto il testo originale per email: la modifica non gli arriva. Se serve, scrivi una nuova risposta. / The email was already sent; the edit does not reach the customer.';
  }
  if (
    !text ||
    !delivery ||
    delivery.status !== 'sent' ||
    !delivery.externalId ||
    // The customer's data was erased (docs/erasure.md): there is no one left to forward it to.
    (delivery.payload as { erased?: boolean }).erased ||
    !['telegram', 'slack'].includes(delivery.channel)
  ) {
    return ':pencil2: La modifica non è stata inoltrata al cliente (la risposta non risulta consegnata). / The edit was not forwarded.';
  }
  const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, relay.ticketId));
  const payload = delivery.payload as OutboundMessage;
  const queued = await enqueueOutbound(core, tx, {
    ticket: ticket!,
    channel: delivery.channel as ChannelName,
    recipient: payload.recipient,
    automatic: false,
    content: technicianReply({
      ticketNumber: ticket!.number,
      subject: ticket!.subject,
      text,
      technician: relay.author,
    }),
    author: relay.author,
    writtenByPerson: true,
    conversationId: payload.threading.conversationId,
    editOf: delivery.externalId,
  });
  await tx.db
    .update(slackRelays)
    .set({
      status: 'queued',
      text,
      messageId: queued.messageId,
      deliveryId: queued.deliveryId,
      receiptAt: null,
    })
    .where(eq(slackRelays.id, relay.id));
  await audit(tx, {
    actor: await slackTechnicianActor(tx, relay.userId),
    action: 'ticket.reply_edited',
    ticketId: ticket!.id,
  });
  return ':pencil2: Modifica inoltrata al cliente come modifica del messaggio già consegnato. / The edit was forwarded to the customer.';
}

export async function onDelete(
  deps: InboundDeps,
  e: SlackMessageEvent,
  eventId: string | undefined,
): Promise<void> {
  const { core, poster } = deps;
  const ts = e.deleted_ts ?? e.previous_message?.ts;
  if (!ts) return;
  // The message's own event may still be in processing (both are acknowledged first): look again.
  const relay =
    (await relayByTs(core.database.db, e.channel, ts)) ??
    (await new Promise((resolve) => setTimeout(resolve, THREAD_LINK_WAIT_MS)).then(() =>
      relayByTs(core.database.db, e.channel, ts),
    ));
  if (!relay) {
    // The deletion overtook the message's own event (both are acknowledged before processing):
    // mark the message as handled, so its late event is dropped as a duplicate.
    await core.database.db
      .insert(slackSeenEvents)
      .values(eventKeys({ channel: e.channel, ts }).map((key) => ({ key })))
      .onConflictDoNothing();
    return;
  }
  let cancelled = false;
  const first = await onceForEvent(core.database, eventKeys({ eventId }), async (tx) => {
    const updated = await tx.db
      .update(slackRelays)
      .set({ status: 'cancelled' })
      .where(and(eq(slackRelays.id, relay.id), eq(slackRelays.status, 'held')))
      .returning({ id: slackRelays.id });
    cancelled = updated.length > 0;
    if (cancelled) {
      await audit(tx, {
        actor: await slackTechnicianActor(tx, relay.userId),
        action: 'ticket.reply_cancelled',
        ticketId: relay.ticketId,
      });
    }
  });
  if (!first) return;
  const thread = await threadOfTicket(core.database.db, relay.ticketId);
  const text = cancelled
    ? `:no_entry_sign: Risposta di ${escapeChatMarkup(relay.author)} annullata prima dell’invio. / Reply cancelled before sending.`
    : `:warning: Risposta di ${escapeChatMarkup(relay.author)} già inviata: cancellarla in Slack non la ritira dal cliente. / Already sent; deleting it here does not recall it.`;
  await poster.post(e.channel, () =>
    poster.client.chat.postMessage({ channel: e.channel, thread_ts: thread?.threadTs, text }),
  );
}
