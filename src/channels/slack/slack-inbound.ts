/**
 * Bolt listeners: technicians' thread replies (relay, note, edit, delete), card buttons and
 * `/helpdesk`. Bolt acknowledges events before listeners run; buttons and commands acknowledge
 * first thing; the work happens after. Every event is handled once across retries, restarts and
 * instances ({@link onceForEvent}); only `SLACK_TECHNICIANS` may act.
 */
import type { App } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import type { SlackSettings } from '../../config.js';
import type { ChannelContext } from '../../core/channel.js';
import type { CoreContext } from '../../core/core-context.js';
import { errorSummary, HelpdeskError } from '../../core/errors.js';
import { writeTechnicianMessage } from '../../core/tickets.js';
import { slackRelays, tickets } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import {
  addNote,
  changeStatus,
  listOpenTickets,
  logPhoneContact,
  type SlackActor,
  takeTicket,
} from './slack-actions.js';
import { CARD_ACTIONS, escapeSlack } from './slack-blocks.js';
import { commandUsage, parseHelpdeskCommand } from './slack-commands.js';
import { handleCustomerDm } from './slack-customers.js';
import type { SlackPoster } from './slack-poster.js';
import { classifyReply, slackToPlain } from './slack-relay.js';
import { eventKeys, onceForEvent, relayByTs, threadByTs } from './slack-store.js';

export const NOT_ALLOWED =
  'Non sei abilitato a operare sui ticket (SLACK_TECHNICIANS). / You are not allowed to act on tickets.';
export const NOT_AVAILABLE = 'Funzione non ancora disponibile. / This feature is not available yet.';

export interface InboundDeps {
  core: CoreContext;
  context: ChannelContext;
  settings: SlackSettings;
  poster: SlackPoster;
  logger: Logger;
  /** Customers' files larger than this are kept as a note (MAX_ATTACHMENT_MB). */
  maxFileBytes: number;
  /** The technician's display name (never "Bot"). */
  nameOf(userId: string): Promise<string>;
  /** Run a mirror pass now (a relay is due, a card changed). */
  wake(): void;
}

interface SlackMessageEvent {
  type: 'message';
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  files?: Array<{ id: string; name?: string; mimetype?: string; size?: number; url_private?: string }>;
  message?: { ts: string; text?: string; user?: string; thread_ts?: string; bot_id?: string };
  previous_message?: { ts: string; user?: string };
  deleted_ts?: string;
}

export function registerListeners(app: App, deps: InboundDeps): void {
  const { settings, logger } = deps;
  app.event('message', async ({ event, body }) => {
    const e = event as unknown as SlackMessageEvent;
    const eventId = (body as { event_id?: string }).event_id;
    try {
      if (e.channel_type === 'im' && e.channel !== settings.channelId) {
        await handleCustomerDm(deps, e, eventId);
        return;
      }
      if (e.channel !== settings.channelId) return;
      if (e.subtype === 'message_changed') await onEdit(deps, e, eventId);
      else if (e.subtype === 'message_deleted') await onDelete(deps, e, eventId);
      else if (e.subtype === undefined || e.subtype === 'file_share' || e.subtype === 'thread_broadcast') {
        await onThreadReply(deps, e, eventId);
      }
    } catch (error) {
      logger.warn({ reason: errorSummary(error) }, 'slack: message event not handled');
      await deps.context.recordFailedInput({
        channel: 'slack',
        externalId: eventId,
        raw: { contentType: 'application/json', data: JSON.stringify(body) },
        error: errorSummary(error),
      });
    }
  });

  app.action(/^ticket_/, async ({ ack, body, action }) => {
    await ack();
    const b = body as unknown as {
      user: { id: string };
      channel?: { id: string };
      container?: { message_ts?: string };
    };
    const a = action as unknown as { action_id: string; value?: string; action_ts?: string };
    const channel = b.channel?.id ?? settings.channelId;
    const tell = (text: string) =>
      deps.poster.post(channel, () =>
        deps.poster.client.chat.postEphemeral({ channel, user: b.user.id, text }),
      );
    try {
      if (!settings.technicians.includes(b.user.id)) return void (await tell(NOT_ALLOWED));
      const number = Number(a.value);
      const who: SlackActor = { userId: b.user.id, name: await deps.nameOf(b.user.id) };
      let answer: string | undefined;
      const keys = eventKeys({ kind: 'act', channel, ts: `${a.action_id}:${a.action_ts ?? ''}` });
      if (!(await onceForEvent(deps.core.database, keys, async () => {}))) return;
      if (a.action_id === CARD_ACTIONS.take) answer = await takeTicket(deps.core, number, who);
      else if (a.action_id === CARD_ACTIONS.resolve)
        answer = await changeStatus(deps.core, number, 'resolved', who);
      else answer = NOT_AVAILABLE;
      deps.wake();
      await tell(answer);
    } catch (error) {
      await tell(error instanceof HelpdeskError ? error.message : 'Errore, riprova. / Error, please retry.');
      if (!(error instanceof HelpdeskError)) throw error;
    }
  });

  app.command(settings.command, async ({ ack, command, respond }) => {
    await ack();
    const say = (text: string) => respond({ response_type: 'ephemeral', text });
    try {
      if (!settings.technicians.includes(command.user_id)) return void (await say(NOT_ALLOWED));
      const who: SlackActor = { userId: command.user_id, name: await deps.nameOf(command.user_id) };
      await say(await runCommand(deps, command.text ?? '', who));
      deps.wake();
    } catch (error) {
      await say(error instanceof HelpdeskError ? error.message : 'Errore, riprova. / Error, please retry.');
      if (!(error instanceof HelpdeskError)) throw error;
    }
  });
}

async function runCommand(deps: InboundDeps, text: string, who: SlackActor): Promise<string> {
  const { core, settings } = deps;
  const parsed = parseHelpdeskCommand(text, settings.command);
  switch (parsed.kind) {
    case 'help':
      return commandUsage(settings.command);
    case 'usage':
      return parsed.message;
    case 'list':
      return listOpenTickets(core);
    case 'take':
      return takeTicket(core, parsed.number, who);
    case 'resolve':
      return changeStatus(core, parsed.number, 'resolved', who);
    case 'reopen':
      return changeStatus(core, parsed.number, 'open', who);
    case 'note':
      await addNote(core, parsed.number, parsed.text, who);
      await postInThread(
        deps,
        parsed.number,
        `:memo: Nota di ${escapeSlack(who.name)}: ${escapeSlack(parsed.text)}`,
      );
      return `Nota aggiunta al ticket #${parsed.number}.`;
    case 'reply':
      return replyFromCommand(deps, parsed.number, parsed.text, who);
    case 'contact':
      return logPhoneContact(core, parsed.number, parsed.text, who);
    case 'time':
    case 'propose':
    case 'consent':
      return NOT_AVAILABLE;
  }
}

async function postInThread(deps: InboundDeps, number: number, text: string): Promise<string | undefined> {
  const { rows } = await deps.core.database.sql.query<{ channel_id: string; thread_ts: string }>(
    'select st.channel_id, st.thread_ts from slack_threads st join tickets t on t.id = st.ticket_id where t.number = $1',
    [number],
  );
  const thread = rows[0];
  if (!thread) return undefined;
  const posted = await deps.poster.post(thread.channel_id, () =>
    deps.poster.client.chat.postMessage({ channel: thread.channel_id, thread_ts: thread.thread_ts, text }),
  );
  return posted.ts;
}

/** `/helpdesk reply N text`: shown in the thread, then held and relayed like a thread reply. */
async function replyFromCommand(
  deps: InboundDeps,
  number: number,
  text: string,
  who: SlackActor,
): Promise<string> {
  const { core } = deps;
  const [ticket] = await core.database.db.select().from(tickets).where(eq(tickets.number, number));
  if (!ticket) return `Ticket #${number} non trovato.`;
  const ts = await postInThread(
    deps,
    number,
    `:outbox_tray: ${escapeSlack(who.name)} (via comando): ${escapeSlack(text)}`,
  );
  if (!ts) {
    await core.database.transaction((tx) =>
      writeTechnicianMessage(core, tx, {
        ticketNumber: number,
        author: who.name,
        text,
        internal: false,
        actor: `slack:${who.userId}`,
      }),
    );
    core.jobs.wake();
    return `Risposta inviata al ticket #${number}.`;
  }
  await core.database.db.insert(slackRelays).values({
    ticketId: ticket.id,
    channelId: deps.settings.channelId,
    ts,
    userId: who.userId,
    author: who.name,
    text,
    dueAt: core.now(),
  });
  deps.wake();
  return `Risposta in invio al ticket #${number}.`;
}

async function onThreadReply(
  deps: InboundDeps,
  e: SlackMessageEvent,
  eventId: string | undefined,
): Promise<void> {
  const { core, settings, poster } = deps;
  if (!e.thread_ts || e.thread_ts === e.ts || e.bot_id || !e.user) return;
  const thread = await threadByTs(core.database.db, e.channel, e.thread_ts);
  if (!thread) return;
  const keys = eventKeys({ eventId, channel: e.channel, ts: e.ts });
  const user = e.user;
  if (!settings.technicians.includes(user)) {
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
  const intent = classifyReply(slackToPlain(e.text ?? ''), settings);
  if (intent.kind === 'chatter') return;
  const author = await deps.nameOf(user);
  const files = (e.files ?? []).map((f) => ({ id: f.id, name: f.name, mimetype: f.mimetype, size: f.size }));
  if (intent.kind === 'note') {
    const done = await onceForEvent(core.database, keys, async (tx) => {
      const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, thread.ticketId));
      await writeTechnicianMessage(core, tx, {
        ticketNumber: ticket!.number,
        author,
        text: intent.text,
        internal: true,
        actor: `slack:${user}`,
      });
    });
    if (done) {
      await poster.post(e.channel, () =>
        poster.client.reactions.add({ channel: e.channel, timestamp: e.ts, name: 'memo' }),
      );
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
  if (files.length) {
    await poster.post(e.channel, () =>
      poster.client.chat.postMessage({
        channel: e.channel,
        thread_ts: e.thread_ts,
        text: `:information_source: ${files.length} file non inoltrati al cliente: l'invio di file dalle risposte non è ancora disponibile. / Files are not relayed yet.`,
      }),
    );
  }
  setTimeout(() => deps.wake(), settings.relayDelayMs + 10).unref?.();
}

async function onEdit(deps: InboundDeps, e: SlackMessageEvent, eventId: string | undefined): Promise<void> {
  const { core, settings, poster } = deps;
  const edited = e.message;
  if (!edited?.thread_ts || edited.bot_id) return;
  const relay = await relayByTs(core.database.db, e.channel, edited.ts);
  if (!relay || !eventId) return;
  const intent = classifyReply(slackToPlain(edited.text ?? ''), settings);
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
    const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, relay.ticketId));
    notice =
      ticket?.originChannel === 'email'
        ? ':envelope: Il cliente ha già ricevuto il testo originale per email: la modifica non gli arriva. Se serve, scrivi una nuova risposta. / The email was already sent; the edit does not reach the customer.'
        : ':pencil2: La risposta era già stata inviata: la modifica non è stata inoltrata (non ancora disponibile). / Already sent; the edit was not relayed.';
  });
  if (notice) {
    const text = notice;
    await poster.post(e.channel, () =>
      poster.client.chat.postMessage({ channel: e.channel, thread_ts: edited.thread_ts, text }),
    );
  }
}

async function onDelete(deps: InboundDeps, e: SlackMessageEvent, eventId: string | undefined): Promise<void> {
  const { core, poster } = deps;
  const ts = e.deleted_ts ?? e.previous_message?.ts;
  if (!ts) return;
  const relay = await relayByTs(core.database.db, e.channel, ts);
  if (!relay) return;
  let cancelled = false;
  const first = await onceForEvent(core.database, eventKeys({ eventId }), async (tx) => {
    const updated = await tx.db
      .update(slackRelays)
      .set({ status: 'cancelled' })
      .where(and(eq(slackRelays.id, relay.id), eq(slackRelays.status, 'held')))
      .returning({ id: slackRelays.id });
    cancelled = updated.length > 0;
  });
  if (!first) return;
  const thread = await core.database.sql.query<{ thread_ts: string }>(
    'select thread_ts from slack_threads where ticket_id = $1',
    [relay.ticketId.toString()],
  );
  const text = cancelled
    ? `:no_entry_sign: Risposta di ${escapeSlack(relay.author)} annullata prima dell’invio. / Reply cancelled before sending.`
    : `:warning: Risposta di ${escapeSlack(relay.author)} già inviata: cancellarla in Slack non la ritira dal cliente. / Already sent; deleting it here does not recall it.`;
  await poster.post(e.channel, () =>
    poster.client.chat.postMessage({ channel: e.channel, thread_ts: thread.rows[0]?.thread_ts, text }),
  );
}
