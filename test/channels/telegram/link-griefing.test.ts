import { describe, expect, it, vi } from 'vitest';
import { LINK_REQUESTS_PER_HOUR } from '../../../src/core/chat-operations.js';
import { createCustomer } from '../../../src/core/customers.js';
import { newUserId, sentTo, shownText, useTelegramApp } from './telegram-kit.js';

/**
 * `/link someone@…` from strangers' Telegram accounts: each account may ask a few times an hour,
 * the customer gets at most their hourly number of link mails, and their acknowledgements are
 * never suppressed by those link mails.
 */
const LIMIT = 3;

const tg = useTelegramApp({ app: { env: { AUTO_REPLY_LIMIT_PER_HOUR: String(LIMIT) } } });

async function link(userId: number, address: string): Promise<string> {
  const before = sentTo(tg.fake, userId).length;
  tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'link', args: address }));
  await vi.waitFor(() => expect(sentTo(tg.fake, userId).length).toBe(before + 1), { timeout: 10_000 });
  return shownText(sentTo(tg.fake, userId)[before]!);
}

describe('/link griefing', () => {
  it('limits each Telegram account’s /link requests per hour, known address or not, with the same answer', async () => {
    const address = `vittima${Date.now()}@example.test`;
    await createCustomer(
      tg.t.app.core,
      { name: 'Vittima', status: 'active', identities: [{ kind: 'email', address }] },
      'test',
    );
    const attacker = newUserId();
    const answers: string[] = [];
    for (let i = 0; i < LINK_REQUESTS_PER_HOUR; i++) {
      answers.push(await link(attacker, i % 2 === 0 ? address : `nessuno${i}@example.test`));
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain("Se l'indirizzo appartiene a un nostro cliente");
    // Over the limit: the same refusal for a known and for an unknown address.
    const refusedKnown = await link(attacker, address);
    const refusedUnknown = await link(attacker, 'nessuno@example.test');
    expect(refusedKnown).toContain("Ha chiesto diversi link nell'ultima ora");
    expect(refusedUnknown).toBe(refusedKnown);
    await tg.t.app.settle();
    expect(tg.t.email.sent.filter((m) => m.recipient.address === address)).toHaveLength(2);
  });

  it('never lets link mails use up the customer’s acknowledgements, and caps the link mails themselves', async () => {
    const address = `cliente${Date.now()}@example.test`;
    await createCustomer(
      tg.t.app.core,
      { name: 'Cliente', status: 'active', identities: [{ kind: 'email', address }] },
      'test',
    );
    // Many strangers ask for links in the customer's name.
    for (let i = 0; i < LIMIT + 3; i++) await link(newUserId(), address);
    await tg.t.app.settle();
    const linkMails = tg.t.email.sent.filter((m) => m.recipient.address === address);
    expect(linkMails).toHaveLength(LIMIT);
    // The customer writes: the acknowledgement still goes out.
    const outcome = await tg.t.app.channelContext.ingest({
      channel: 'email',
      externalId: `<griefing.${Date.now()}@client.example>`,
      sender: { kind: 'email', address },
      subject: 'Il PC non parte',
      newText: 'Il PC non parte.',
      fullText: 'Il PC non parte.',
      attachments: [],
      thread: {},
      receivedAt: new Date(),
      raw: { contentType: 'message/rfc822', data: 'Subject: Il PC non parte\r\n\r\nIl PC non parte.' },
    });
    expect(outcome.status).toBe('new_ticket');
    await tg.t.app.settle();
    const ack = tg.t.email.sent.filter((m) => m.recipient.address === address).at(-1)!;
    expect(ack.text).toContain('abbiamo ricevuto');
    expect(ack.subject).toContain('Il PC non parte');
  });
});
