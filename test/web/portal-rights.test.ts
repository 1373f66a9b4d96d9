import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redeemLinkCode } from '../../src/core/chat-operations.js';
import type { CoreContext } from '../../src/core/core-context.js';
import { appointments, messages, staffAlerts, tickets } from '../../src/db/schema.js';
import { PORTAL_PASSWORD, PortalClient, portalCustomer, signedInClient } from '../helpers/portal-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { webOnlyAdapter } from '../helpers/web-kit.js';

// T8 and the portal's account page: the data download, erasure (asked by the customer, carried
// out by staff through the API), linking Slack.
let app: TestApp;
let core: CoreContext;

beforeAll(async () => {
  app = await startTestApp({
    env: { TRUST_PROXY: 'true' },
    adapters: (_context, c) => {
      core = c;
      return [webOnlyAdapter(c, { chatOn: (kind) => kind === 'slack' })];
    },
  });
});

afterAll(async () => {
  await app?.close();
});

/** Opens a ticket from the portal (with a file); its number. */
async function openTicket(client: PortalClient, subject: string, text: string): Promise<number> {
  const form = new FormData();
  form.append('subject', subject);
  form.append('text', text);
  form.append('nonce', `open-${subject}`);
  form.append('attachments', new Blob([`file of ${subject}`], { type: 'text/plain' }), `${subject}.txt`);
  const created = await client.post('/portal/tickets', {}, form);
  return Number(/tickets\/(\d+)/.exec(created.response.headers.get('location')!)![1]);
}

/** A consent request, 45 minutes of remote work and an on-site appointment on the ticket. */
async function seedWork(number: number, technician: string): Promise<void> {
  expect(
    (await app.api(`/tickets/${number}/consents`, { method: 'POST', body: { technician } })).status,
  ).toBe(201);
  expect(
    (
      await app.api(`/tickets/${number}/time`, {
        method: 'POST',
        body: { technician, minutes: 45, kind: 'remote', note: `lavoro ${technician}` },
      })
    ).status,
  ).toBe(201);
  const [ticket] = await core.database.db.select().from(tickets).where(eq(tickets.number, number));
  await core.database.db.insert(appointments).values({
    ticketId: ticket!.id,
    technician,
    kind: 'onsite',
    startAt: new Date('2099-05-04T08:00:00Z'),
    endAt: new Date('2099-05-04T09:00:00Z'),
    uid: `rights-${number}@test`,
  });
}

describe('download my data (T8)', () => {
  it('holds consents, appointments, time entries and hour summaries, none of another customer, no secrets', async () => {
    await portalCustomer(app, core, 'anna@example.test');
    await portalCustomer(app, core, 'bruno@example.test');
    const anna = await signedInClient(app, 'anna@example.test');
    const bruno = await signedInClient(app, 'bruno@example.test');
    const annaTicket = await openTicket(anna, 'Stampante', 'Non stampa più');
    const brunoTicket = await openTicket(bruno, 'Rete', 'Rete giù');
    await seedWork(annaTicket, 'Tecnico Anna');
    await seedWork(brunoTicket, 'Tecnico Bruno');

    const download = await anna.get('/portal/export.json');
    expect(download.response.status).toBe(200);
    const disposition = download.response.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+\.json"; filename\*=UTF-8''\S+\.json$/);
    const data = JSON.parse(download.text);
    expect(data.tickets.map((t: { number: number }) => t.number)).toEqual([annaTicket]);
    expect(data.consents).toHaveLength(1);
    expect(data.consents[0]).toMatchObject({ ticketNumber: annaTicket, technician: 'Tecnico Anna' });
    expect(data.appointments).toHaveLength(1);
    expect(data.appointments[0]).toMatchObject({ ticketNumber: annaTicket, kind: 'onsite' });
    expect(data.timeEntries).toHaveLength(1);
    expect(data.timeEntries[0]).toMatchObject({
      ticketNumber: annaTicket,
      technician: 'Tecnico Anna',
      minutes: 45,
      note: 'lavoro Tecnico Anna',
    });
    expect(data.hourSummaries).toHaveLength(1);
    expect(data.hourSummaries[0].text).toContain('45 min');

    expect(download.text).not.toContain('Tecnico Bruno');
    expect(download.text).not.toContain('bruno@');
    expect(download.text).not.toContain('Rete giù');
    // No secrets: no password hash, no link codes or set-password tokens, no session ids.
    expect(download.text).not.toMatch(/scrypt\$|passwordHash|tokenHash|"sid"/);
  });
});

/** A mail from `address` before it registered, kept as unmatched, and the staff alert naming it. */
async function unmatchedMailFrom(address: string, text: string): Promise<void> {
  await core.database.db.insert(messages).values({
    direction: 'inbound',
    disposition: 'unmatched',
    channel: 'email',
    externalId: `<${text.length}.early@${address.split('@')[1]}>`,
    senderKind: 'email',
    senderAddress: address,
    newText: text,
    fullText: text,
  });
  await core.database.db.insert(staffAlerts).values({
    kind: 'unmatched',
    text: `Message from email ${address} kept as unmatched`,
    data: { address },
  });
}

describe('download my data: messages outside a ticket (T8)', () => {
  it('holds the mails sent before registering and the link mails we sent, without the link token', async () => {
    await unmatchedMailFrom('fabio@example.test', 'Scrivo prima di registrarmi');
    await portalCustomer(app, core, 'fabio@example.test');
    const fabio = await signedInClient(app, 'fabio@example.test');
    const data = JSON.parse((await fabio.get('/portal/export.json')).text);
    const texts = data.messagesWithoutTicket.map((m: { text: string }) => m.text).join('\n');
    expect(texts).toContain('Scrivo prima di registrarmi');
    // The set-password mail sent at registration.
    expect(data.messagesWithoutTicket.some((m: { direction: string }) => m.direction === 'outbound')).toBe(
      true,
    );
    expect(texts).toContain('/password?token=[removed]');
  });
});

describe('link Slack from the portal', () => {
  it('gives a one-time `link <code>` for the bot, which links the Slack account', async () => {
    await portalCustomer(app, core, 'carla@example.test');
    const carla = await signedInClient(app, 'carla@example.test');
    const account = await carla.get('/portal/account');
    expect(account.text).toContain('action="/portal/slack-link"');
    const made = await carla.post('/portal/slack-link', {});
    expect(made.response.status).toBe(200);
    const code = /link ([\w-]{16,})/.exec(made.text)?.[1];
    expect(code).toBeTruthy();
    expect(made.text).toContain('24 ore');
    const linked = await redeemLinkCode(core, code!, { kind: 'slack', address: 'U0CARLA' });
    expect(linked.status).toBe('linked');
    expect((await carla.get('/portal/account')).text).toContain('slack: U0CARLA');
    // The same code again does nothing.
    expect((await redeemLinkCode(core, code!, { kind: 'slack', address: 'U0OTHER' })).status).toBe('used');
  });
});

describe('erasure (T8): the customer asks, staff carry it out', () => {
  it('anonymises messages and files, removes sign-in and identities, keeps billed time and consent evidence', async () => {
    const customerId = await portalCustomer(app, core, 'dario@example.test');
    await portalCustomer(app, core, 'elena@example.test');
    const dario = await signedInClient(app, 'dario@example.test');
    const elena = await signedInClient(app, 'elena@example.test');
    const number = await openTicket(dario, 'Server', 'Il mio server di via Roma 12 non parte');
    const elenaTicket = await openTicket(elena, 'Mail', 'La posta di Elena non arriva');
    await seedWork(number, 'Tecnico Dario');
    // The month's hours are exported for invoicing: the entry is billed and must be kept.
    const month = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Rome',
      year: 'numeric',
      month: '2-digit',
    })
      .format(new Date())
      .slice(0, 7);
    const exported = await app.api('/reports/hours/export', {
      body: { month, customerId: Number(customerId), author: 'Ufficio' },
    });
    expect(exported.status).toBe(200);

    await unmatchedMailFrom('dario@example.test', 'Scrivo prima di registrarmi, Dario');
    await dario.post('/portal/erasure', {});
    const listed = await app.api('/erasure-requests?status=requested');
    expect(listed.status).toBe(200);
    const { erasureRequests } = (await listed.json()) as {
      erasureRequests: Array<{ id: string; customerId: string; status: string }>;
    };
    const request = erasureRequests.find((r) => r.customerId === customerId.toString())!;
    expect(request.status).toBe('requested');

    // An open ticket first: staff are told which, nothing is erased.
    const early = await app.api(`/erasure-requests/${request.id}/execute`, { body: { author: 'Ufficio' } });
    expect(early.status).toBe(409);
    expect(await early.text()).toContain(`#${number}`);
    expect((await dario.get(`/portal/tickets/${number}`)).text).toContain('via Roma 12');

    const closed = await app.api(`/tickets/${number}/status`, {
      body: { status: 'closed', author: 'Ufficio' },
    });
    expect(closed.status).toBe(200);
    const consentsBefore = await app.database.sql.query(
      'select * from consents where customer_id = $1 order by id',
      [customerId.toString()],
    );

    const done = await app.api(`/erasure-requests/${request.id}/execute`, { body: { author: 'Ufficio' } });
    expect(done.status).toBe(200);
    const result = (await done.json()) as { erasureRequest: { status: string; decidedBy: string } };
    expect(result.erasureRequest).toMatchObject({ status: 'done', decidedBy: 'technician:Ufficio' });

    // Messages and files: no longer readable anywhere.
    const words = await app.database.sql.query<{ n: number }>(
      `select count(*)::int as n from messages
       where new_text like '%via Roma%' or full_text like '%via Roma%' or sender_address like '%dario%'`,
    );
    expect(words.rows[0]!.n).toBe(0);
    // Nor through the staff search: the ticket's search vector kept no word of what was erased.
    const searchable = await app.database.sql.query<{ n: number }>(
      `select count(*)::int as n from tickets
       where search_vector @@ to_tsquery('italian', 'roma') or search_vector @@ to_tsquery('simple', 'roma')`,
    );
    expect(searchable.rows[0]!.n).toBe(0);
    const files = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from attachments where filename = 'Server.txt' or content is not null and message_id in (select m.id from messages m join tickets t on t.id = m.ticket_id where t.number = $1)",
      [number],
    );
    expect(files.rows[0]!.n).toBe(0);
    const delivered = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from deliveries where recipient_address like '%dario%' or payload::text like '%via Roma%'",
    );
    expect(delivered.rows[0]!.n).toBe(0);
    // The address is nowhere left readable: alerts naming it, web messages' ids quoting it.
    for (const table of ['staff_alerts', 'messages', 'deliveries', 'tickets']) {
      const named = await app.database.sql.query<{ n: number }>(
        `select count(*)::int as n from ${table} t where lower(row_to_json(t)::text) like '%dario@example.test%'`,
      );
      expect({ table, n: named.rows[0]!.n }).toEqual({ table, n: 0 });
    }
    // Signed out, cannot sign in again, no identity left to write from.
    expect((await dario.get('/portal')).response.headers.get('location')).toBe('/signin');
    const again = new PortalClient(app);
    await again.get('/signin');
    const signIn = await again.post('/signin', { email: 'dario@example.test', password: PORTAL_PASSWORD });
    expect(signIn.response.headers.get('location')).not.toBe('/portal');
    const ids = await app.database.sql.query<{ n: number }>(
      'select count(*)::int as n from identities where customer_id = $1',
      [customerId.toString()],
    );
    expect(ids.rows[0]!.n).toBe(0);
    // Kept by law: the billed time, the invoicing identity (VAT number), the consent evidence.
    const time = await app.database.sql.query<{ minutes: number; billed_at: Date | null }>(
      'select minutes, billed_at from time_entries te join tickets t on t.id = te.ticket_id where t.number = $1',
      [number],
    );
    expect(time.rows).toEqual([{ minutes: 45, billed_at: expect.any(Date) }]);
    const customer = await app.database.sql.query<{
      vat_number: string;
      phone: string | null;
      status: string;
    }>('select vat_number, phone, status from customers where id = $1', [customerId.toString()]);
    expect(customer.rows[0]).toMatchObject({ vat_number: '01234567897', phone: null, status: 'suspended' });
    const consentsAfter = await app.database.sql.query(
      'select * from consents where customer_id = $1 order by id',
      [customerId.toString()],
    );
    expect(consentsAfter.rows).toEqual(consentsBefore.rows);
    // Audited; another customer untouched; a second execution is refused.
    const audited = await app.database.sql.query<{ actor: string }>(
      "select actor from audit_log where action = 'erasure.executed' and customer_id = $1",
      [customerId.toString()],
    );
    expect(audited.rows).toEqual([{ actor: 'technician:Ufficio' }]);
    expect((await elena.get(`/portal/tickets/${elenaTicket}`)).text).toContain(
      'La posta di Elena non arriva',
    );
    const twice = await app.api(`/erasure-requests/${request.id}/execute`, { body: { author: 'Ufficio' } });
    expect(twice.status).toBe(409);
  });

  it('answers an unknown request with 404', async () => {
    const missing = await app.api('/erasure-requests/999999/execute', { body: { author: 'Ufficio' } });
    expect(missing.status).toBe(404);
  });
});
