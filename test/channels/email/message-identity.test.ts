import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmailKit, HELPDESK, startEmailKit } from './email-kit.js';
import { rawMail } from './mail-fixtures.js';

/**
 * Nothing is lost to a reused Message-ID: a true copy of a stored mail (To + Cc delivery, another
 * Received chain) is one message; another mail under the same id is stored, threaded and answered;
 * an id too long for an index is stored hashed and still threads.
 */
let kit: EmailKit;
beforeAll(async () => {
  kit = await startEmailKit();
}, 60_000);
afterAll(async () => {
  await kit?.close();
});

function mail(
  from: string,
  messageId: string,
  subject: string,
  body: string,
  transport: string[] = [],
  extra: string[] = [],
) {
  return rawMail(
    [
      ...transport,
      `From: Cliente <${from}>`,
      `To: ${HELPDESK}`,
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 30 Nov 2026 10:00:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...extra,
    ],
    body,
  );
}

const acksTo = (address: string) => kit.smtp.messages.filter((m) => m.envelope.to.includes(address));

describe('message identity', () => {
  it('stores a copy delivered again with other transport headers once, and answers once', async () => {
    const from = await kit.newCustomer();
    const id = `<copy.${Date.now()}@client.example>`;
    const body = 'Il server non risponde da stamattina.';
    await kit.deliver(
      mail(from, id, 'Server fermo', body, [
        'Received: from mx1.example by imap.example; Mon, 30 Nov 2026 10:00:01 +0100',
        `Delivered-To: ${HELPDESK}`,
      ]),
    );
    await kit.smtp.waitFor((m) => m.envelope.to.includes(from));
    // The same mail again (the Cc copy): another Received chain, another Delivered-To, folded differently.
    await kit.deliver(
      mail(from, id, 'Server fermo', body, [
        'Received: from mx2.example by imap.example;\r\n Mon, 30 Nov 2026 10:00:05 +0100',
        'Delivered-To: altro@example.test',
        'Authentication-Results: mx2.example; spf=pass',
      ]),
    );
    const marker = `<after-copy.${Date.now()}@client.example>`;
    await kit.deliver(mail(from, marker, 'Altro', 'Un’altra richiesta.'));
    await kit.waitFor(
      async () => ((await kit.inbound('external_id = $1', [marker])).length ? true : undefined),
      'the next mail',
    );
    expect(await kit.inbound('external_id = $1', [id])).toHaveLength(1);
    await kit.app.settle();
    expect(acksTo(from).filter((m) => m.parsed.inReplyTo === id)).toHaveLength(1);
  });

  it('stores, threads and answers a different mail that reuses a stored Message-ID', async () => {
    const from = await kit.newCustomer();
    const id = `<reused.${Date.now()}@client.example>`;
    await kit.deliver(mail(from, id, 'Stampante', 'La stampante non stampa.'));
    await kit.smtp.waitFor((m) => m.envelope.to.includes(from) && m.parsed.inReplyTo === id);
    await kit.deliver(mail(from, id, 'Posta', 'Non ricevo la posta da ieri.'));
    const rows = await kit.waitFor(async () => {
      const stored = await kit.inbound('external_id = $1', [id]);
      return stored.length === 2 ? stored : undefined;
    }, 'the second mail under the same id');
    expect(rows.map((r) => r.new_text)).toEqual(['La stampante non stampa.', 'Non ricevo la posta da ieri.']);
    expect(rows.every((r) => r.ticket_id !== null && r.disposition === 'ticket')).toBe(true);
    await kit.smtp.waitFor(
      (m) => m.envelope.to.includes(from) && m.parsed.subject?.includes('Posta') === true,
    );
    expect(acksTo(from)).toHaveLength(2);
  });

  it('stores a mail whose Message-ID is too long for an index, answers it, and threads its reply', async () => {
    const from = await kit.newCustomer();
    const longId = `<${'x'.repeat(2700)}.${Date.now()}@client.example>`;
    await kit.deliver(mail(from, longId, 'Id lunghissimo', 'Il gestionale si blocca.'));
    const ack = await kit.smtp.waitFor((m) => m.envelope.to.includes(from));
    expect(ack.parsed.subject).toMatch(/Id lunghissimo/);
    const [stored] = await kit.waitFor(async () => {
      const rows = await kit.inbound("customer_id is not null and new_text = 'Il gestionale si blocca.'");
      return rows.length ? rows : undefined;
    }, 'the stored mail');
    expect(stored!.external_id).toMatch(/^<[0-9a-f]{64}@hashed-id\.invalid>$/);
    // A reply naming the long id (no reply token, no subject tag) still finds the ticket.
    const replyId = `<reply.${Date.now()}@client.example>`;
    await kit.deliver(
      mail(
        from,
        replyId,
        'Re: domanda',
        'Ancora bloccato.',
        [],
        [`In-Reply-To: ${longId}`, `References: ${longId}`],
      ),
    );
    const [reply] = await kit.waitFor(async () => {
      const rows = await kit.inbound('external_id = $1', [replyId]);
      return rows.length ? rows : undefined;
    }, 'the reply');
    expect(reply!.ticket_id).toBe(stored!.ticket_id);
  });
});
