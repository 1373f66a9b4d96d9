/**
 * Remote-access consent from Slack (terms T4, T5): the card's *Request consent* button,
 * `/helpdesk consent N` and `/helpdesk session N start|end`, and the private hand-over of the
 * customer's remote-tool credentials to the technician who asked, as an ephemeral message in the
 * ticket's thread (Slack keeps no copy of ephemeral messages in the channel's history).
 */

import type { App } from '@slack/bolt';
import type { OutboundButton } from '../../core/channel.js';
import { parseConsentButton } from '../../core/consent/answer-rule.js';
import { answerConsentButton, buttonAnswerText } from '../../core/consent/consent-buttons.js';
import { requestConsent } from '../../core/consent/consent-requests.js';
import { endRemoteSession, startRemoteSession } from '../../core/consent/consent-sessions.js';
import { CredentialVault } from '../../core/consent/credential-vault.js';
import type { CoreContext } from '../../core/core-context.js';
import { errorSummary } from '../../core/errors.js';
import { slackThreadOfTicketNumber } from '../../db/sql/slack-thread-of-ticket-number.js';
import type { Logger } from '../../logger.js';
import { escapeChatMarkup } from '../../templates/format.js';
import type { SlackActor } from './slack-actions.js';
import { isSlotButton, pressSlotFromSlack } from './slack-customer-buttons.js';
import type { SlackPoster } from './slack-poster.js';

/** Action ids of buttons shown to customers in their DM (`customer_choice_<n>`, value = button data). */
export const CUSTOMER_CHOICE = /^customer_choice_\d+$/;

/** Blocks showing `text` with the message's buttons under it; undefined without buttons. */
export function customerButtonBlocks(text: string, buttons: OutboundButton[][] | undefined) {
  const flat = buttons?.flat() ?? [];
  if (flat.length === 0 || text.length > 3000) return undefined;
  return [
    { type: 'section', text: { type: 'mrkdwn', text } },
    {
      type: 'actions',
      elements: flat.slice(0, 25).map((button, i) => ({
        type: 'button',
        text: { type: 'plain_text', text: button.label },
        action_id: `customer_choice_${i}`,
        value: button.data,
      })),
    },
  ];
}

/**
 * A customer pressed a button in their DM — SÌ / NO / STOP (consent) or a slot number (#23): the
 * core decides (only the ticket's customer counts) and the customer sees what happened, ephemerally.
 */
export function registerCustomerButtons(
  app: App,
  deps: { core: CoreContext; poster: SlackPoster; logger: Logger },
) {
  app.action(CUSTOMER_CHOICE, async ({ ack, body, action }) => {
    await ack();
    const b = body as unknown as { user: { id: string }; channel?: { id: string } };
    const value = (action as unknown as { value?: string }).value ?? '';
    if (isSlotButton(value)) {
      await pressSlotFromSlack(deps, { userId: b.user.id, channelId: b.channel?.id, value }).catch(
        (error: unknown) =>
          deps.logger.warn({ reason: errorSummary(error) }, 'slack: slot button not handled'),
      );
      return;
    }
    const data = parseConsentButton(value);
    if (!data || !b.channel) return;
    try {
      const pressed = await answerConsentButton(deps.core, {
        ...data,
        sender: { kind: 'slack', address: b.user.id },
      });
      const channel = b.channel.id;
      await deps.poster.post(channel, () =>
        deps.poster.client.chat.postEphemeral({
          channel,
          user: b.user.id,
          text: buttonAnswerText(pressed.outcome, pressed.locale),
        }),
      );
    } catch (error) {
      deps.logger.warn({ reason: errorSummary(error) }, 'slack: consent button not handled');
    }
  });
}

/** Asks the ticket's customer for consent on behalf of the Slack technician. */
export async function requestConsentFromSlack(
  core: CoreContext,
  number: number,
  who: SlackActor,
): Promise<string> {
  await requestConsent(core, {
    ticketNumber: number,
    technician: who.name,
    technicianRef: `slack:${who.userId}`,
    actor: who.actor,
  });
  const minutes = Math.round(core.settings.consentTtlMs / 60_000);
  return `Richiesta di consenso inviata al cliente del ticket #${number} (scade tra ${minutes} min). / Consent requested.`;
}

/** Starts or ends the ticket's remote session (ConsentStateError when the consent does not allow it). */
export async function sessionFromSlack(
  core: CoreContext,
  number: number,
  action: 'start' | 'end',
  who: SlackActor,
): Promise<string> {
  const input = { ticketNumber: number, technician: who.name, actor: who.actor };
  if (action === 'start') {
    await startRemoteSession(core, input);
    return `Sessione remota avviata sul ticket #${number}: il cliente può fermarla con STOP. / Remote session started.`;
  }
  const ended = await endRemoteSession(core, input);
  return `Sessione remota chiusa sul ticket #${number} (${ended.minutes} min); al cliente è stato ricordato di chiudere lo strumento. / Remote session ended.`;
}

/**
 * Takes credentials held for a ticket whose consent was asked from Slack and shows them to that
 * technician only (ephemeral, in the ticket's thread). When Slack refuses, they go back to the
 * vault for the one-time API read until they expire. Never logs the secret.
 */
export function handOverInSlack(deps: {
  core: CoreContext;
  poster: SlackPoster;
  logger: Logger;
}): ((held: { ticketNumber: number; technicianRef?: string }) => void) | undefined {
  const vault = deps.core.credentialHandOver;
  if (!(vault instanceof CredentialVault)) return undefined;
  return ({ ticketNumber, technicianRef }) => {
    if (!technicianRef?.startsWith('slack:')) return;
    const user = technicianRef.slice('slack:'.length);
    void (async () => {
      const thread = await slackThreadOfTicketNumber(deps.core.database.sql, ticketNumber);
      if (!thread) return;
      const held = vault.take(ticketNumber);
      if (!held) return;
      try {
        await deps.poster.post(thread.channel_id, () =>
          deps.poster.client.chat.postEphemeral({
            channel: thread.channel_id,
            thread_ts: thread.thread_ts,
            user,
            text: `:closed_lock_with_key: Credenziali del cliente, ticket #${ticketNumber} (solo per te, non conservate) / customer's credentials (only for you, not kept):\n${escapeChatMarkup(held.secret)}`,
          }),
        );
      } catch (error) {
        vault.put({ ticketNumber, technician: held.technician, secret: held.secret });
        deps.logger.warn(
          { ticketNumber, reason: errorSummary(error) },
          'slack: credentials could not be shown to the technician; kept for the one-time API read',
        );
      }
    })().catch((error: unknown) =>
      deps.logger.warn({ ticketNumber, reason: errorSummary(error) }, 'slack: credentials hand-over failed'),
    );
  };
}
