/**
 * Buttons under a message to a customer in a Slack DM (slot numbers of a proposal, #23), and the
 * customer pressing one. The button's value is the core's opaque data (`slot:<offerId>:<n>`).
 */
import type { App } from '@slack/bolt';
import type { OutboundButton } from '../../core/channel.js';
import { customerOf } from '../../core/chat-operations.js';
import type { CoreContext } from '../../core/core-context.js';
import { errorSummary } from '../../core/errors.js';
import { bookingAnswer, pressSlotButton } from '../../core/slot-answers.js';
import type { Logger } from '../../logger.js';
import type { SlackPoster } from './slack-poster.js';

/** action_id prefix of customers' buttons (distinct from the technicians' `ticket_` card buttons). */
export const CUSTOMER_BUTTON_PREFIX = 'customer_button_';

/** Block Kit for a text and rows of buttons (each row an actions block). */
export function customerButtonBlocks(text: string, rows: OutboundButton[][]): unknown[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text } },
    ...rows.map((row, r) => ({
      type: 'actions',
      elements: row.map((button, i) => ({
        type: 'button',
        text: { type: 'plain_text', text: button.label },
        action_id: `${CUSTOMER_BUTTON_PREFIX}${r}_${i}`,
        value: button.data,
      })),
    })),
  ];
}

/** Registers the handler of customers' buttons: a slot button books for its ticket's customer only. */
export function registerCustomerButtons(
  app: App,
  deps: { core: CoreContext; poster: SlackPoster; logger: Logger },
): void {
  app.action(new RegExp(`^${CUSTOMER_BUTTON_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    const b = body as unknown as { user: { id: string }; channel?: { id: string } };
    const a = action as unknown as { value?: string };
    try {
      const customer = await customerOf(deps.core, { kind: 'slack', address: b.user.id });
      const result = await pressSlotButton(deps.core, customer?.id, a.value ?? '', `slack:${b.user.id}`);
      if (!result || !b.channel) return;
      const channel = b.channel.id;
      await deps.poster.post(channel, () =>
        deps.poster.client.chat.postEphemeral({
          channel,
          user: b.user.id,
          text: bookingAnswer(result, customer?.locale ?? 'it'),
        }),
      );
    } catch (error) {
      deps.logger.warn({ reason: errorSummary(error) }, 'slack: customer button not handled');
    }
  });
}
