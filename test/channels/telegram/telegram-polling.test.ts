import type { InlineKeyboardMarkup, Message } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { createLinkCode } from '../../../src/core/chat-operations.js';
import { createCustomer } from '../../../src/core/customers.js';
import { telegramErrors } from '../../helpers/fake-telegram-api.js';
import {
  getTicket,
  linkedCustomer,
  newUserId,
  sentTo,
  shownText,
  storedInbound,
  ticketNumberIn,
  useTelegramApp,
  waitForText,
} from './telegram-kit.js';

const tg = useTelegramApp({ app: { adapter: { maxFileBytes: 50_000 } } });

/** Sends a text as `userId` and returns the update. */
function say(userId: number, text: string, extra: { replyToMessageId?: number; chatId?: number } = {}) {
  return tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, text, ...extra }));
}

/** `/new text` → the acknowledgement → its ticket number. */
async function newTicket(userId: number, text: string): Promise<{ number: number; ack: Message }> {
  const before = sentTo(tg.fake, userId).length;
  tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'new', args: text }));
  await vi.waitFor(() => expect(sentTo(tg.fake, userId).length).toBeGreaterThan(before), { timeout: 10_000 });
  const ack = sentTo(tg.fake, userId)[before]!;
  return { number: ticketNumberIn(shownText(ack)), ack: ack.result as Message };
}

describe('Telegram adapter, long polling, whole app', () => {
  it('links an account with a deep link, opens a ticket and acknowledges in Italian, then English after /lang en', async () => {
    const userId = newUserId();
    const customer = await createCustomer(
      tg.t.app.core,
      {
        name: 'Rossi Srl',
        status: 'active',
        identities: [{ kind: 'email', address: `rossi${userId}@example.test` }],
      },
      'test',
    );
    const code = await createLinkCode(tg.t.app.core, customer.id, 'telegram');
    expect(tg.t.adapter.deepLink(code)).toBe(`https://t.me/${tg.fake.botInfo.username}?start=${code}`);

    tg.fake.queueUpdate(
      tg.fake.commandMessage({ fromId: userId, command: 'start', args: code, languageCode: 'en' }),
    );
    const linked = await waitForText(tg.fake, userId, 'Rossi Srl');
    expect(shownText(linked)).toContain('Fatto: questo account Telegram ora è collegato');

    const update = say(userId, 'Il PC non si accende');
    const ack = await waitForText(tg.fake, userId, 'abbiamo ricevuto la sua richiesta');
    const number = ticketNumberIn(shownText(ack));
    expect((ack.result as Message).reply_to_message?.message_id).toBe(update.message!.message_id);
    const view = await getTicket(tg.t.app, number);
    expect(view.ticket.conversationId).toBe(String(userId));
    expect(view.messages[0]).toMatchObject({ direction: 'inbound', newText: 'Il PC non si accende' });

    // The same code again: already used.
    tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'start', args: code }));
    await waitForText(tg.fake, userId, 'Questo link è già stato usato');

    tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'lang', args: 'en' }));
    await waitForText(tg.fake, userId, 'From now on we will write to you in English.');
    tg.fake.queueUpdate(
      tg.fake.commandMessage({ fromId: userId, command: 'new', args: 'The printer is jammed' }),
    );
    const english = await waitForText(tg.fake, userId, 'we have received your request');
    expect(ticketNumberIn(shownText(english))).toBeGreaterThan(number);

    tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'tickets' }));
    const list = await waitForText(tg.fake, userId, 'Your open tickets:');
    expect(shownText(list)).toContain(`#${number} Il PC non si accende – open`);
    expect(shownText(list)).toContain('The printer is jammed – open');
    await tg.t.app.settle();
  });

  it('gives staff a one-time deep link through the API, which links once and only once', async () => {
    const userId = newUserId();
    const created = await tg.t.app.api('/customers', {
      body: {
        name: 'Verdi Snc',
        status: 'active',
        identities: [{ kind: 'email', address: `verdi${userId}@example.test` }],
      },
    });
    const { customer } = (await created.json()) as { customer: { id: string } };
    const response = await tg.t.app.api(`/customers/${customer.id}/link-code`, {
      body: { kind: 'telegram' },
    });
    expect(response.status).toBe(201);
    const { code, link } = (await response.json()) as { code: string; link: string };
    expect(link).toBe(`https://t.me/${tg.fake.botInfo.username}?start=${code}`);
    tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'start', args: code }));
    await waitForText(tg.fake, userId, 'Verdi Snc');
    const intruder = newUserId();
    tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: intruder, command: 'start', args: code }));
    await vi.waitFor(() => expect(sentTo(tg.fake, intruder).length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(shownText(sentTo(tg.fake, intruder)[0]!)).not.toContain('Verdi Snc');
    expect((await tg.t.app.api('/customers/999999/link-code', { body: {} })).status).toBe(404);
  });

  it('links through /link and an emailed deep link, answering the same for unknown addresses', async () => {
    const userId = newUserId();
    const address = `link${userId}@example.test`;
    await createCustomer(
      tg.t.app.core,
      { name: 'Bianchi', locale: 'it', status: 'active', identities: [{ kind: 'email', address }] },
      'test',
    );
    tg.fake.queueUpdate(
      tg.fake.commandMessage({ fromId: userId, command: 'link', args: address.toUpperCase() }),
    );
    const answer = await waitForText(tg.fake, userId, "Se l'indirizzo appartiene a un nostro cliente");
    tg.fake.queueUpdate(
      tg.fake.commandMessage({ fromId: userId, command: 'link', args: 'nobody@example.test' }),
    );
    await vi.waitFor(() => expect(sentTo(tg.fake, userId)).toHaveLength(2), { timeout: 10_000 });
    expect(shownText(sentTo(tg.fake, userId)[1]!)).toBe(shownText(answer));

    await tg.t.app.settle();
    const mail = tg.t.email.sent.find((m) => m.recipient.address === address);
    expect(tg.t.email.sent.filter((m) => m.recipient.address === 'nobody@example.test')).toEqual([]);
    const link = /https:\/\/t\.me\/\S+\?start=(\S+)/.exec(mail!.text);
    expect(link).not.toBeNull();
    tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'start', args: link![1]! }));
    await waitForText(
      tg.fake,
      userId,
      'Fatto: questo account Telegram ora è collegato al suo account cliente (Bianchi)',
    );
  });

  it('continues the only open ticket and threads a reply to a bot message onto its ticket', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    say(userId, 'Primo messaggio');
    const first = ticketNumberIn(shownText(await waitForText(tg.fake, userId, 'abbiamo ricevuto')));
    const follow = say(userId, 'Aggiungo un dettaglio');
    await vi.waitFor(async () =>
      expect(await storedInbound(tg.t.app, `${userId}:${follow.message!.message_id}`)).toBe(1),
    );
    let view = await getTicket(tg.t.app, first);
    expect(view.messages.filter((m) => m.direction === 'inbound').map((m) => m.newText)).toEqual([
      'Primo messaggio',
      'Aggiungo un dettaglio',
    ]);

    const second = await newTicket(userId, 'Secondo problema');
    expect(second.number).not.toBe(first);
    const ackOfFirst = sentTo(tg.fake, userId).find((c) => ticketNumberIn(shownText(c)) === first)!;
    const reply = say(userId, 'Risposta al primo', {
      replyToMessageId: (ackOfFirst.result as Message).message_id,
    });
    await vi.waitFor(async () =>
      expect(await storedInbound(tg.t.app, `${userId}:${reply.message!.message_id}`)).toBe(1),
    );
    view = await getTicket(tg.t.app, first);
    expect(view.messages.map((m) => m.newText)).toContain('Risposta al primo');
    await tg.t.app.settle();
    // One acknowledgement per ticket, nothing else.
    expect(sentTo(tg.fake, userId)).toHaveLength(2);
  });

  it('asks which ticket with buttons when several are open, and files the message where the user chooses', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const a = await newTicket(userId, 'Rete lenta');
    const b = await newTicket(userId, 'Stampante');
    const held = say(userId, 'Ora non funziona più nulla');
    const question = await waitForText(tg.fake, userId, 'A quale si riferisce questo messaggio?');
    const markup = question.params.reply_markup as InlineKeyboardMarkup;
    const data = markup.inline_keyboard
      .flat()
      .map((button) => (button as { callback_data: string }).callback_data);
    expect(data.sort()).toEqual([`ticket:${a.number}`, `ticket:${b.number}`].sort());
    expect((question.result as Message).reply_to_message?.message_id).toBe(held.message!.message_id);

    const questionId = (question.result as Message).message_id;
    tg.fake.queueUpdate(
      tg.fake.callbackQuery({ fromId: userId, messageId: questionId, data: `ticket:${a.number}` }),
    );
    const edited = await tg.fake.waitForSent(
      (c) => c.method === 'editMessageText' && c.params.message_id === questionId,
    );
    expect((edited.result as Message).text).toBe(
      `Messaggio aggiunto al ticket n. ${a.number}: "Rete lenta".`,
    );
    expect((edited.result as Message).reply_markup).toBeUndefined();
    expect(tg.fake.sent.some((c) => c.method === 'answerCallbackQuery')).toBe(true);
    const view = await getTicket(tg.t.app, a.number);
    expect(view.messages.map((m) => m.newText)).toContain('Ora non funziona più nulla');

    // Pressing again: nothing is waiting, the button still gets its answer.
    const answers = tg.fake.sent.filter((c) => c.method === 'answerCallbackQuery').length;
    tg.fake.queueUpdate(
      tg.fake.callbackQuery({ fromId: userId, messageId: questionId, data: `ticket:${b.number}` }),
    );
    await vi.waitFor(() =>
      expect(tg.fake.sent.filter((c) => c.method === 'answerCallbackQuery').length).toBe(answers + 1),
    );
    const last = tg.fake.sent.filter((c) => c.method === 'answerCallbackQuery').at(-1)!;
    expect(last.params.text).toBe('Non ci sono messaggi in attesa di essere assegnati a un ticket.');
    await tg.t.app.settle();
  });

  it('stores photos and documents as attachments and omits one over the cap, telling the customer', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const photoBytes = Buffer.alloc(10_000, 7);
    tg.fake.queueUpdate(
      tg.fake.photoMessage({ fromId: userId, content: photoBytes, caption: 'Schermata di errore' }),
    );
    const number = ticketNumberIn(shownText(await waitForText(tg.fake, userId, 'abbiamo ricevuto')));

    const doc = tg.fake.queueUpdate(
      tg.fake.documentMessage({
        fromId: userId,
        content: 'log line\n',
        fileName: 'event.log',
        mimeType: 'text/plain',
      }),
    );
    const big = tg.fake.queueUpdate(
      tg.fake.documentMessage({ fromId: userId, content: Buffer.alloc(60_000, 1), fileName: 'dump.bin' }),
    );
    const voice = tg.fake.queueUpdate(
      tg.fake.voiceMessage({ fromId: userId, content: Buffer.from('OggS fake') }),
    );
    const notice = await waitForText(tg.fake, userId, 'erano troppo grandi');
    expect(shownText(notice)).toContain('- dump.bin');
    await vi.waitFor(async () =>
      expect(await storedInbound(tg.t.app, `${userId}:${voice.message!.message_id}`)).toBe(1),
    );

    const view = await getTicket(tg.t.app, number);
    const files = view.messages.flatMap((m) => m.attachments);
    expect(files).toEqual([
      expect.objectContaining({ contentType: 'image/jpeg', size: 10_000, kept: true, omittedReason: null }),
      expect.objectContaining({ filename: 'event.log', contentType: 'text/plain', size: 9, kept: true }),
      expect.objectContaining({ filename: 'dump.bin', size: 60_000, kept: false }),
      expect.objectContaining({ contentType: 'audio/ogg', kept: true }),
    ]);
    expect(files[2]!.omittedReason).toMatch(/larger than/);
    expect(view.messages[0]!.newText).toBe('Schermata di errore');
    const { rows } = await tg.t.app.database.sql.query<{ content: Buffer }>(
      'select a.content from attachments a join messages m on m.id = a.message_id where m.external_id = $1',
      [`${userId}:${doc.message!.message_id}`],
    );
    expect(Buffer.from(rows[0]!.content).toString()).toBe('log line\n');
    expect(big.message!.document!.file_size).toBe(60_000);
    await tg.t.app.settle();
  });

  it('delivers each message exactly once through a 429 storm', async () => {
    await tg.t.app.settle();
    const users = [newUserId(), newUserId(), newUserId()];
    for (const userId of users) await linkedCustomer(tg.t.app, userId);
    tg.fake.failNext('sendMessage', telegramErrors.tooManyRequests(1), 4);
    for (const userId of users) say(userId, `Richiesta di ${userId}`);
    for (const userId of users) await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    await tg.t.app.settle(20_000);
    for (const userId of users) expect(sentTo(tg.fake, userId)).toHaveLength(1);
    const failed = tg.fake.calls.filter((c) => c.method === 'sendMessage' && !c.ok);
    expect(failed.length).toBeGreaterThanOrEqual(4);
  });

  it('marks a user who blocked the bot unreachable and alerts the staff', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    say(userId, 'Problema VPN');
    const number = ticketNumberIn(shownText(await waitForText(tg.fake, userId, 'abbiamo ricevuto')));
    await tg.t.app.settle();
    tg.fake.blockChat(userId);
    const response = await tg.t.app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: 'Ci sentiamo?' },
    });
    expect(response.status).toBe(201);
    await tg.t.app.settle();
    const alerts = (await (await tg.t.app.api('/alerts')).json()) as {
      alerts: Array<{ kind: string; text: string }>;
    };
    expect(alerts.alerts).toContainEqual(
      expect.objectContaining({
        kind: 'identity_unreachable',
        text: expect.stringContaining(String(userId)),
      }),
    );
    const { rows } = await tg.t.app.database.sql.query<{ unreachable_at: Date | null }>(
      "select unreachable_at from identities where kind = 'telegram' and address = $1",
      [String(userId)],
    );
    expect(rows[0]!.unreachable_at).not.toBeNull();
    const view = await getTicket(tg.t.app, number);
    expect(view.messages.at(-1)!.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1 });
    tg.fake.unblockChat(userId);
  });

  it('stores an update delivered twice once and acknowledges it once', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const update = tg.fake.textMessage({ fromId: userId, text: 'Doppio' });
    tg.fake.queueUpdate(update);
    tg.fake.queueUpdate(update);
    await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    await tg.t.app.settle();
    expect(await storedInbound(tg.t.app, `${userId}:${update.message!.message_id}`)).toBe(1);
    expect(sentTo(tg.fake, userId)).toHaveLength(1);
  });

  it('keeps messages from an unlinked user as unmatched and answers them once', async () => {
    const userId = newUserId();
    const first = say(userId, 'Buongiorno, chi siete?');
    const second = say(userId, 'Mi serve aiuto');
    await waitForText(tg.fake, userId, 'colleghi questa chat con /link');
    await vi.waitFor(async () =>
      expect(await storedInbound(tg.t.app, `${userId}:${second.message!.message_id}`)).toBe(1),
    );
    await tg.t.app.settle();
    expect(sentTo(tg.fake, userId)).toHaveLength(1);
    const unmatched = (await (await tg.t.app.api('/unmatched')).json()) as {
      messages: Array<{ externalId: string }>;
    };
    const ids = unmatched.messages.map((m) => m.externalId);
    expect(ids).toContain(`${userId}:${first.message!.message_id}`);
    expect(ids).toContain(`${userId}:${second.message!.message_id}`);

    // Commands that need an account explain how to get one, in the client's language.
    tg.fake.queueUpdate(
      tg.fake.commandMessage({ fromId: userId, command: 'tickets', languageCode: 'en-GB' }),
    );
    const answer = await waitForText(tg.fake, userId, 'This Telegram account is not linked');
    expect(shownText(answer)).toContain('/link');
    expect(shownText(answer)).toContain('/register');
    tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'new' }));
    await waitForText(tg.fake, userId, 'Scriva il problema dopo il comando');
  });

  it('round-trips <b>&"\'😀 escaped correctly both ways', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const tricky = `<b>&"'😀 &amp; </b>`;
    const update = say(userId, tricky);
    const ack = await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    expect(shownText(ack)).toContain(`"${tricky}"`);
    expect(String(ack.params.text)).toContain('&lt;b&gt;&amp;"\'😀 &amp;amp; &lt;/b&gt;');
    const number = ticketNumberIn(shownText(ack));
    const view = await getTicket(tg.t.app, number);
    expect(view.messages[0]!.newText).toBe(tricky);
    expect(view.messages[0]!.externalId).toBe(`${userId}:${update.message!.message_id}`);

    await tg.t.app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: `Risposta ${tricky}` },
    });
    const reply = await waitForText(tg.fake, userId, 'Risposta');
    // Signed with the technician's name (#20), the name escaped like the text.
    expect(shownText(reply)).toBe(`Ticket #${number}\nRisposta ${tricky}\n\n— Luca`);
    await tg.t.app.settle();
  });

  it('sends a 10,000-character reply split in order, resending no part after a failure half-way', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    say(userId, 'Mi spiegate tutto?');
    const number = ticketNumberIn(shownText(await waitForText(tg.fake, userId, 'abbiamo ricevuto')));
    await tg.t.app.settle();
    const paragraphs = Array.from(
      { length: 50 },
      (_, i) => `Paragrafo ${i + 1}: ${'spiegazione dettagliata '.repeat(8).trim()}.`,
    );
    const text = paragraphs.join('\n\n').slice(0, 10_000);
    expect(text.length).toBe(10_000);
    // The second part fails once with 429: the retry must send only parts 2 and 3.
    tg.fake.failAfter('sendMessage', 1, telegramErrors.tooManyRequests(1));
    const before = sentTo(tg.fake, userId).length;
    await tg.t.app.api(`/tickets/${number}/messages`, { body: { author: 'Luca', text } });
    await vi.waitFor(() => expect(sentTo(tg.fake, userId).length).toBe(before + 3), { timeout: 15_000 });
    await tg.t.app.settle();
    const parts = sentTo(tg.fake, userId).slice(before);
    expect(parts).toHaveLength(3);
    const ids = parts.map((p) => (p.result as Message).message_id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    for (const part of parts) expect(shownText(part).length).toBeLessThanOrEqual(4096);
    const joined = parts.map(shownText).join('\n\n').replace(`Ticket #${number}\n`, '');
    expect(joined.replace(/\s+/g, ' ')).toBe(`${text}\n\n— Luca`.replace(/\s+/g, ' ').trim());
    const view = await getTicket(tg.t.app, number);
    expect(view.messages.at(-1)!.deliveries[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('stores edits as edits, a sticker as its emoji, and ignores service messages without errors', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const original = say(userId, 'Il server è giu');
    const number = ticketNumberIn(shownText(await waitForText(tg.fake, userId, 'abbiamo ricevuto')));
    const edit = tg.fake.queueUpdate(
      tg.fake.editedMessage({
        fromId: userId,
        messageId: original.message!.message_id,
        text: 'Il server è giù',
      }),
    );
    tg.fake.queueUpdate(tg.fake.stickerMessage({ fromId: userId, emoji: '😩' }));
    tg.fake.queueUpdate(
      tg.fake.newChatMembers({ fromId: userId, chatId: -5001, members: [{ id: 1, firstName: 'Anna' }] }),
    );
    const after = say(userId, 'Ancora giù');
    await vi.waitFor(async () =>
      expect(await storedInbound(tg.t.app, `${userId}:${after.message!.message_id}`)).toBe(1),
    );
    const inbound = (await getTicket(tg.t.app, number)).messages.filter((m) => m.direction === 'inbound');
    expect(inbound.map((m) => [m.disposition, m.newText])).toEqual([
      ['ticket', 'Il server è giu'],
      ['edit', 'Il server è giù'],
      ['ticket', '[Sticker 😩]'],
      ['ticket', 'Ancora giù'],
    ]);
    expect(inbound[1]!.externalId).toBe(`${userId}:${original.message!.message_id}:edit:${edit.update_id}`);
    const { rows } = await tg.t.app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from raw_inputs where channel = 'telegram' and error is not null and convert_from(data, 'UTF8') like $1",
      [`%${userId}%`],
    );
    expect(rows[0]!.n).toBe(0);
    await tg.t.app.settle();
  });

  it('follows a group that becomes a supergroup, from its service message and from a send error', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const group = -4_000_000 - (userId % 1000);
    const supergroup = -1_004_000_000 - (userId % 1000);
    tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, chatId: group, text: 'Problema in ufficio' }));
    const number = ticketNumberIn(shownText(await waitForText(tg.fake, group, 'abbiamo ricevuto')));
    tg.fake.queueUpdate(tg.fake.migrateToChat({ fromId: userId, chatId: group, toChatId: supergroup }));
    await vi.waitFor(async () =>
      expect((await getTicket(tg.t.app, number)).ticket.conversationId).toBe(String(supergroup)),
    );
    await tg.t.app.api(`/tickets/${number}/messages`, { body: { author: 'Luca', text: 'Arriviamo' } });
    await waitForText(tg.fake, supergroup, 'Arriviamo');

    // A group migrated without us seeing the service message: the send error moves it.
    const group2 = group - 1;
    const supergroup2 = supergroup - 1;
    tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, chatId: group2, text: 'Altro ufficio' }));
    const number2 = ticketNumberIn(shownText(await waitForText(tg.fake, group2, 'abbiamo ricevuto')));
    await tg.t.app.settle();
    tg.fake.migrateChat(group2, supergroup2);
    await tg.t.app.api(`/tickets/${number2}/messages`, {
      body: { author: 'Luca', text: 'Arriviamo anche lì' },
    });
    await waitForText(tg.fake, supergroup2, 'Arriviamo anche lì');
    expect((await getTicket(tg.t.app, number2)).ticket.conversationId).toBe(String(supergroup2));
    await tg.t.app.settle();
  });

  it('retries an update while the store is down without moving the offset, and stores it once', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    tg.t.flaky.failures = 3;
    const update = say(userId, 'Arrivo dopo un guasto');
    await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    expect(tg.t.flaky.failed).toHaveLength(3);
    for (const failure of tg.t.flaky.failed) {
      expect(failure.externalId).toBe(`${userId}:${update.message!.message_id}`);
      expect(failure.confirmedUpTo).toBeLessThan(update.update_id);
    }
    expect(await storedInbound(tg.t.app, `${userId}:${update.message!.message_id}`)).toBe(1);
    await vi.waitFor(() => expect(tg.fake.stats.confirmedUpTo).toBeGreaterThanOrEqual(update.update_id));
    await tg.t.app.settle();
    expect(sentTo(tg.fake, userId)).toHaveLength(1);
  });

  it('keeps an update that fails for good as failed input and goes on with the next', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    // An error no retry can fix (a bug) on the first update; the next one must still go through.
    tg.t.flaky.permanentFailures = 1;
    const bad = say(userId, 'nul \u0000 byte');
    const good = say(userId, 'Messaggio valido con \u0000 un NUL');
    await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    expect(await storedInbound(tg.t.app, `${userId}:${bad.message!.message_id}`)).toBe(0);
    expect(await storedInbound(tg.t.app, `${userId}:${good.message!.message_id}`)).toBe(1);
    const { rows } = await tg.t.app.database.sql.query<{ error: string; data: Buffer }>(
      "select error, data from raw_inputs where channel = 'telegram' and external_id = $1",
      [`${userId}:${bad.message!.message_id}`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.error).toMatch(/TypeError/);
    expect(rows[0]!.error).not.toContain('byte\u0000');
    const { rows: texts } = await tg.t.app.database.sql.query<{ new_text: string }>(
      "select new_text from messages where external_id = $1 and direction = 'inbound'",
      [`${userId}:${good.message!.message_id}`],
    );
    expect(texts[0]!.new_text).toBe('Messaggio valido con  un NUL');
    expect(JSON.parse(Buffer.from(rows[0]!.data).toString()).update_id).toBe(bad.update_id);
    const alerts = (await (await tg.t.app.api('/alerts')).json()) as { alerts: Array<{ kind: string }> };
    expect(alerts.alerts.some((a) => a.kind === 'input_failed')).toBe(true);
    await tg.t.app.settle();
  });
});
