/**
 * `/helpdesk` sub-commands, run after the command was acknowledged. Answers are ephemeral.
 */

import { eq } from 'drizzle-orm';
import { redactText } from '../../core/consent/redaction.js';
import { writeTechnicianMessage } from '../../core/tickets.js';
import { slackRelays, tickets } from '../../db/schema.js';
import { slackThreadOfTicketNumber } from '../../db/sql/slack-thread-of-ticket-number.js';
import { escapeChatMarkup } from '../../templates/format.js';
import {
  addNote,
  changeStatus,
  listOpenTickets,
  logPhoneContact,
  REDACTED_NOTICE,
  type SlackActor,
  takeTicket,
} from './slack-actions.js';
import { ticketNotFound } from './slack-answers.js';
import { threadPostTexts } from './slack-blocks.js';
import { commandUsage, parseHelpdeskCommand } from './slack-commands.js';
import { requestConsentFromSlack, sessionFromSlack } from './slack-consent.js';
import type { InboundDeps } from './slack-inbound.js';
import { cancelFromSlack, proposeFromSlack } from './slack-proposals.js';
import { logTimeFromCommand, postRunningSummary } from './slack-time.js';

export async function runCommand(deps: InboundDeps, text: string, who: SlackActor): Promise<string> {
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
    case 'note': {
      // Redacted before the thread shows it too (T8); the core then finds nothing more.
      const { text: note, count } = redactText(parsed.text);
      await addNote(core, parsed.number, note, who);
      await postInThread(deps, parsed.number, `:memo: Nota di ${escapeChatMarkup(who.name)}: `, note);
      return `Nota aggiunta al ticket #${parsed.number}. / Note added to ticket #${parsed.number}.${count > 0 ? ` ${REDACTED_NOTICE}` : ''}`;
    }
    case 'reply': {
      const { text: reply, count } = redactText(parsed.text);
      const answer = await replyFromCommand(deps, parsed.number, reply, who);
      return count > 0 ? `${answer} ${REDACTED_NOTICE}` : answer;
    }
    case 'contact':
      return logPhoneContact(core, parsed.number, parsed.text, who);
    case 'propose':
      return proposeFromSlack(core, parsed.number, who, { mode: parsed.mode, minutes: parsed.minutes });
    case 'cancel':
    case 'move':
      return cancelFromSlack(core, parsed.number, who, parsed.kind === 'move');
    case 'consent':
      return requestConsentFromSlack(core, parsed.number, who);
    case 'session':
      return sessionFromSlack(core, parsed.number, parsed.action, who);
    case 'time': {
      const logged = await logTimeFromCommand(core, parsed, who);
      await postInThread(deps, parsed.number, logged.threadHead, logged.threadBody).catch(() => undefined);
      return logged.answer;
    }
    case 'summary':
      return postRunningSummary(core, parsed.number, who);
  }
}

/**
 * Posts `head` (mrkdwn) and `body` (plain, escaped) in the ticket's thread, split at Slack's limits;
 * the first message's ts, or undefined when the ticket has no thread.
 */
async function postInThread(
  deps: InboundDeps,
  number: number,
  head: string,
  body = '',
): Promise<string | undefined> {
  const thread = await slackThreadOfTicketNumber(deps.core.database.sql, number);
  if (!thread) return undefined;
  let first: string | undefined;
  for (const text of threadPostTexts(head, body)) {
    const posted = await deps.poster.post(thread.channel_id, () =>
      deps.poster.client.chat.postMessage({
        channel: thread.channel_id,
        thread_ts: thread.thread_ts,
        text,
        unfurl_links: false,
      }),
    );
    first ??= posted.ts;
  }
  return first;
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
  if (!ticket) return ticketNotFound(number);
  const ts = await postInThread(
    deps,
    number,
    `:outbox_tray: ${escapeChatMarkup(who.name)} (via comando): `,
    text,
  );
  if (!ts) {
    await core.database.transaction((tx) =>
      writeTechnicianMessage(core, tx, {
        ticketNumber: number,
        author: who.name,
        text,
        internal: false,
        actor: who.actor,
        signed: true,
      }),
    );
    core.jobs.wake();
    return `Risposta inviata al ticket #${number}. / Reply sent on ticket #${number}.`;
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
  return `Risposta in invio al ticket #${number}. / Reply on its way on ticket #${number}.`;
}
