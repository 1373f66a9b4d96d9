/**
 * A customer pressing a slot button (a proposal's numbered slot, #23) in their Slack DM. The
 * buttons themselves are drawn by `customerButtonBlocks` (slack-consent.ts), one kind for every
 * customer button; the button's value is the core's opaque data (`slot:<offerId>:<n>`).
 */
import { customerOf } from '../../core/chat-operations.js';
import type { CoreContext } from '../../core/core-context.js';
import { bookingAnswer, pressSlotButton } from '../../core/slot-answers.js';
import type { SlackPoster } from './slack-poster.js';

/** True when `value` is a slot button's data. */
export function isSlotButton(value: string): boolean {
  return value.startsWith('slot:');
}

/** Books the slot for the ticket's customer only and tells the presser, ephemerally, what happened. */
export async function pressSlotFromSlack(
  deps: { core: CoreContext; poster: SlackPoster },
  press: { userId: string; channelId?: string; value: string },
): Promise<void> {
  const customer = await customerOf(deps.core, { kind: 'slack', address: press.userId });
  const result = await pressSlotButton(deps.core, customer?.id, press.value, `slack:${press.userId}`);
  const channel = press.channelId;
  if (!result || !channel) return;
  await deps.poster.post(channel, () =>
    deps.poster.client.chat.postEphemeral({
      channel,
      user: press.userId,
      text: bookingAnswer(result, customer?.locale ?? 'it'),
    }),
  );
}
