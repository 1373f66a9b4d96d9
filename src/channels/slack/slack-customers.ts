/**
 * Customers on Slack (a Slack Connect or guest user writing to the bot in a DM): their messages
 * open or continue tickets as Telegram's do. A reply in a DM thread continues that thread's
 * ticket, `new …` always opens one, `link CODE` links the Slack user with a one-time code
 * (`link their@email` mails that code to a customer's address), and
 * an unlinked user is kept as unmatched by the core and told how to link.
 */
import type { InboundMessage } from '../../core/channel.js';
import { redeemLinkCode, requestLinkByEmail } from '../../core/chat-operations.js';
import { downloadSlackFiles } from './slack-files.js';
import type { InboundDeps, SlackMessageEvent } from './slack-inbound.js';
import { slackToPlain } from './slack-relay.js';

type DmEvent = Pick<
  SlackMessageEvent,
  'subtype' | 'channel' | 'user' | 'bot_id' | 'text' | 'ts' | 'thread_ts' | 'files'
>;

const LINK_REQUESTED =
  "Se l'indirizzo appartiene a un nostro cliente, gli abbiamo inviato un'email con il messaggio da mandarmi per collegare questo account Slack (vale una volta, entro 24 ore).\nIf the address belongs to one of our customers, we emailed it the message to send me to link this Slack account (works once, within 24 hours).";

const LINK_ANSWERS: Record<string, string> = {
  linked:
    'Fatto: questo account Slack ora è collegato al suo account cliente. Può scriverci qui.\nDone: this Slack account is now linked to your customer account. You can write to us here.',
  expired: 'Questo codice è scaduto (vale 24 ore).\nThis code has expired (codes work for 24 hours).',
  used: 'Questo codice è già stato usato.\nThis code has already been used.',
  identity_taken:
    "Questo account Slack è già collegato a un altro cliente: contatti l'assistenza.\nThis Slack account is already linked to another customer: please contact support.",
  invalid: 'Questo codice non è valido.\nThis code is not valid.',
};

/** One DM to the bot from a Slack user (not a technician's channel message). */
export async function handleCustomerDm(
  deps: InboundDeps,
  e: DmEvent,
  eventId: string | undefined,
): Promise<void> {
  if (e.bot_id || !e.user || (e.subtype !== undefined && e.subtype !== 'file_share')) return;
  const text = slackToPlain(e.text ?? '').trim();
  const byEmail = /^link\s+(\S+@\S+\.\S+)$/i.exec(text);
  if (byEmail) {
    // Answered the same whether the address is known or not.
    await requestLinkByEmail(
      deps.core,
      byEmail[1]!,
      { kind: 'slack', address: e.user },
      (code) => `link ${code}`,
    );
    await deps.poster.post(e.channel, () =>
      deps.poster.client.chat.postMessage({
        channel: e.channel,
        thread_ts: e.thread_ts,
        text: LINK_REQUESTED,
      }),
    );
    return;
  }
  const link = /^link\s+(\S+)$/i.exec(text);
  if (link) {
    const result = await redeemLinkCode(deps.core, link[1]!, { kind: 'slack', address: e.user });
    const answer = LINK_ANSWERS[result.status] ?? LINK_ANSWERS.invalid!;
    await deps.poster.post(e.channel, () =>
      deps.poster.client.chat.postMessage({ channel: e.channel, thread_ts: e.thread_ts, text: answer }),
    );
    return;
  }
  const forceNew = /^new\b/i.test(text);
  const body = forceNew ? text.replace(/^new\b\s*/i, '') : text;
  const message: InboundMessage = {
    channel: 'slack',
    externalId: `${e.channel}:${e.ts}`,
    sender: { kind: 'slack', address: e.user },
    newText: body,
    fullText: text,
    attachments: (
      await downloadSlackFiles(e.files ?? [], {
        botToken: deps.settings.botToken,
        apiUrl: deps.settings.apiUrl,
        maxFileBytes: deps.maxFileBytes,
        timeoutMs: deps.settings.sendTimeoutMs,
      })
    ).map(({ transient: _transient, ...file }) => file),
    thread: {
      conversationId: e.channel,
      inReplyTo: e.thread_ts && e.thread_ts !== e.ts ? [`${e.channel}:${e.thread_ts}`] : undefined,
      forceNew: forceNew || undefined,
    },
    receivedAt: new Date(Number(e.ts) * 1000),
    arrivedAt: new Date(Number(e.ts) * 1000),
    raw: { contentType: 'application/json', data: JSON.stringify({ event_id: eventId, event: e }) },
  };
  await deps.context.ingest(message);
}
