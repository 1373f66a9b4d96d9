/**
 * Bolt listeners: technicians' thread replies (relay, note, edit, delete), card buttons and
 * `/helpdesk`. Bolt acknowledges events before listeners run; buttons and commands acknowledge
 * first thing; the work happens after. Every event is handled once across retries, restarts and
 * instances ({@link onceForEvent}); only `SLACK_TECHNICIANS` may act.
 */

import type { App } from '@slack/bolt';
import type { SlackSettings } from '../../config.js';
import { slackTechnicianActor } from '../../core/actors.js';
import type { ChannelContext } from '../../core/channel.js';
import type { CoreContext } from '../../core/core-context.js';
import { errorSummary, HelpdeskError } from '../../core/errors.js';
import { parseIdNumber } from '../../core/id-numbers.js';
import type { Logger } from '../../logger.js';
import { changeStatus, type SlackActor, takeTicket } from './slack-actions.js';
import { errorAnswer, ticketNotFound } from './slack-answers.js';
import { CARD_ACTIONS } from './slack-blocks.js';
import { runCommand } from './slack-command-runner.js';
import { requestConsentFromSlack } from './slack-consent.js';
import { handleCustomerDm } from './slack-customers.js';
import type { SlackFile } from './slack-files.js';
import type { SlackPoster } from './slack-poster.js';
import { proposeFromSlack } from './slack-proposals.js';
import { eventKeys, onceForEvent } from './slack-store.js';
import { onDelete, onEdit, onThreadReply } from './slack-thread-replies.js';
import { logTimeHint, startTicketTimer, stopTicketTimer } from './slack-time.js';

export const NOT_ALLOWED =
  'Non sei abilitato a operare sui ticket (account tecnico o SLACK_TECHNICIANS). / You are not allowed to act on tickets.';
export const NOT_AVAILABLE = 'Funzione non ancora disponibile. / This feature is not available yet.';

export interface InboundDeps {
  core: CoreContext;
  context: ChannelContext;
  settings: SlackSettings;
  poster: SlackPoster;
  logger: Logger;
  /** Customers' files larger than this are kept as a note (MAX_ATTACHMENT_MB). */
  maxFileBytes: number;
  /** The technician's name: their staff account's, else the Slack display name (never "Bot"). */
  nameOf(userId: string): Promise<string>;
  /** Whether the Slack user may act on tickets: an enabled staff account's Slack id, or SLACK_TECHNICIANS. */
  isTechnician(userId: string): Promise<boolean>;
  /** Run a mirror pass now (a relay is due, a card changed). */
  wake(): void;
}

export interface SlackMessageEvent {
  type: 'message';
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  files?: SlackFile[];
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
      if (!(await deps.isTechnician(b.user.id))) return void (await tell(NOT_ALLOWED));
      // A button's value is a ticket number; anything else (a forged or stale value) is not found.
      const number = parseIdNumber(a.value);
      if (number === undefined) return void (await tell(ticketNotFound()));
      const who: SlackActor = {
        userId: b.user.id,
        name: await deps.nameOf(b.user.id),
        actor: await slackTechnicianActor(deps.core.database, b.user.id),
      };
      let answer: string | undefined;
      const keys = eventKeys({ kind: 'act', channel, ts: `${a.action_id}:${a.action_ts ?? ''}` });
      if (!(await onceForEvent(deps.core.database, keys, async () => {}))) return;
      if (a.action_id === CARD_ACTIONS.take) answer = await takeTicket(deps.core, number, who);
      else if (a.action_id === CARD_ACTIONS.resolve)
        answer = await changeStatus(deps.core, number, 'resolved', who);
      else if (a.action_id === CARD_ACTIONS.requestConsent)
        answer = await requestConsentFromSlack(deps.core, number, who);
      else if (a.action_id === CARD_ACTIONS.logTime) answer = logTimeHint(settings.command, number);
      else if (a.action_id === CARD_ACTIONS.timerStart)
        answer = await startTicketTimer(deps.core, number, who);
      else if (a.action_id === CARD_ACTIONS.timerStop) answer = await stopTicketTimer(deps.core, number, who);
      else if (a.action_id === CARD_ACTIONS.proposeSlots)
        answer = await proposeFromSlack(deps.core, number, who);
      else answer = NOT_AVAILABLE;
      deps.wake();
      await tell(answer);
    } catch (error) {
      await tell(errorAnswer(error));
      if (!(error instanceof HelpdeskError)) throw error;
    }
  });

  app.command(settings.command, async ({ ack, command, respond }) => {
    await ack();
    const say = (text: string) => respond({ response_type: 'ephemeral', text });
    try {
      if (!(await deps.isTechnician(command.user_id))) return void (await say(NOT_ALLOWED));
      const who: SlackActor = {
        userId: command.user_id,
        name: await deps.nameOf(command.user_id),
        actor: await slackTechnicianActor(deps.core.database, command.user_id),
      };
      await say(await runCommand(deps, command.text ?? '', who));
      deps.wake();
    } catch (error) {
      await say(errorAnswer(error));
      if (!(error instanceof HelpdeskError)) throw error;
    }
  });
}
