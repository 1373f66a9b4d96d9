import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../../src/web/accounts.js';
import { hashPassword } from '../../../src/web/passwords.js';
import { newTotpSecret } from '../../../src/web/staff/staff-totp.js';
import { createStaffAccount, signInStaff, staffSession } from '../../helpers/staff-kit.js';
import { axeViolations, startWebKit, type WebKit } from '../../helpers/web-kit.js';

// The registrations and unmatched pages (#25) on the whole app with real mail (SMTP capture, Dovecot):
// over HTTP through a staff session, and once in Chromium with an admin signing in with TOTP.
let kit: WebKit;
const PASSWORD = 'password-del-tecnico-1';
const CUSTOMER_PASSWORD = 'password-del-cliente-1';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function registerCustomer(name: string, email: string): Promise<string> {
  await register(kit.app.core, {
    kind: 'person',
    name,
    contactName: name,
    email,
    phone: '+39 333 1234567',
    termsVersion: '1',
    quickAccess: false,
    locale: 'it',
  });
  const { rows } = await kit.app.database.sql.query<{ id: string }>(
    'select customer_id::text as id from web_accounts where email = $1',
    [email],
  );
  return rows[0]!.id;
}

async function post(path: string, cookie: string, fields: Record<string, string>) {
  return fetch(`${kit.app.url}${path}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: form(fields),
    redirect: 'manual',
  });
}

async function mailFrom(address: string, subject: string) {
  const outcome = await kit.app.channelContext.ingest({
    channel: 'email',
    externalId: `<${subject.replace(/\W/g, '')}@${address}>`,
    sender: { kind: 'email', address, displayName: address.split('@')[0] },
    subject,
    newText: `${subject}: aiuto.`,
    fullText: `${subject}: aiuto.`,
    attachments: [],
    thread: {},
    receivedAt: new Date(),
    raw: { contentType: 'message/rfc822', data: `From: ${address}\r\n\r\nx` },
  });
  return { outcome, id: (outcome as { messageId: string }).messageId };
}

/** The audit actor of the staff account signed in with `email` (src/core/actors.ts). */
async function staffActorOf(email: string): Promise<string> {
  const { rows } = await kit.app.database.sql.query<{ id: string }>(
    'select id::text as id from staff_accounts where email = $1',
    [email],
  );
  return `staff:${rows[0]!.id}`;
}

const get = (path: string, cookie: string) =>
  fetch(`${kit.app.url}${path}`, { headers: { cookie }, redirect: 'manual' });

beforeAll(async () => {
  kit = await startWebKit();
  await createStaffAccount(kit.app.core, {
    email: 'tecnico@shop.test',
    role: 'technician',
    password: PASSWORD,
  });
}, 120_000);

afterAll(async () => {
  await kit?.close();
});

describe('registrations over HTTP', () => {
  it('shows the 48-hour clock, overdue ones marked, and activates: the customer gets a mail IT then EN', async () => {
    const id = await registerCustomer('Anna Bianchi', 'anna@cliente.test');
    const late = await registerCustomer('Luca Verdi', 'luca@cliente.test');
    await kit.app.database.sql.query(
      "update customers set created_at = now() - interval '50 hours' where id = $1",
      [late],
    );
    const { cookie, csrfToken } = await staffSession(kit.app.url, {
      email: 'tecnico@shop.test',
      password: PASSWORD,
    });
    expect((await get('/staff', cookie)).headers.get('location')).toBe('/staff/tickets');
    const html = await (await get('/staff/registrations', cookie)).text();
    const row = (customer: string) =>
      new RegExp(`<tr[^>]*data-customer="${customer}"[^>]*>([\\s\\S]*?)</tr>`).exec(html)![0];
    expect(row(id)).toMatch(/mancano 4[78] h/);
    expect(row(id)).not.toContain('overdue');
    expect(row(late)).toContain('class="overdue"');
    expect(row(late)).toMatch(/IN RITARDO di 2 h/);

    const answer = await post(`/staff/registrations/${id}/activate`, cookie, { _csrf: csrfToken });
    expect(answer.headers.get('location')).toBe('/staff/registrations?done=activated');
    const mail = await kit.smtp.waitFor(
      (m) => m.envelope.to.includes('anna@cliente.test') && /attivato/.test(m.parsed.subject ?? ''),
    );
    const text = mail.parsed.text ?? '';
    expect(text.indexOf('è stato attivato')).toBeGreaterThan(-1);
    expect(text.indexOf('has been activated')).toBeGreaterThan(text.indexOf('è stato attivato'));
    const { rows } = await kit.app.database.sql.query<{ status: string; actor: string }>(
      "select c.status, a.actor from customers c join audit_log a on a.customer_id = c.id and a.action = 'customer.activated' where c.id = $1",
      [id],
    );
    expect(rows).toEqual([{ status: 'active', actor: await staffActorOf('tecnico@shop.test') }]);
    expect(await (await get('/staff/registrations', cookie)).text()).not.toContain(`data-customer="${id}"`);
  });

  it('rejects with a reason: the customer is told, becomes rejected, and the portal says so', async () => {
    const id = await registerCustomer('Marco Neri', 'marco@cliente.test');
    const { cookie, csrfToken } = await staffSession(kit.app.url, {
      email: 'tecnico@shop.test',
      password: PASSWORD,
    });
    expect(
      (await post(`/staff/registrations/${id}/reject`, cookie, { _csrf: csrfToken, reason: ' ' })).status,
    ).toBe(400);
    const answer = await post(`/staff/registrations/${id}/reject`, cookie, {
      _csrf: csrfToken,
      reason: 'Partita IVA non valida',
    });
    expect(answer.headers.get('location')).toBe('/staff/registrations?done=rejected');
    const mail = await kit.smtp.waitFor(
      (m) => m.envelope.to.includes('marco@cliente.test') && /non accettata/.test(m.parsed.subject ?? ''),
    );
    const text = mail.parsed.text ?? '';
    expect(text).toContain('Motivo: Partita IVA non valida');
    expect(text.indexOf('Reason: Partita IVA non valida')).toBeGreaterThan(text.indexOf('Motivo:'));
    const { rows } = await kit.app.database.sql.query<{ status: string; actor: string; data: unknown }>(
      "select c.status, a.actor, a.data from customers c join audit_log a on a.customer_id = c.id and a.action = 'customer.rejected' where c.id = $1",
      [id],
    );
    expect(rows).toEqual([
      {
        status: 'rejected',
        actor: await staffActorOf('tecnico@shop.test'),
        data: { reason: 'Partita IVA non valida' },
      },
    ]);
    // Activating it afterwards is refused.
    expect((await post(`/staff/registrations/${id}/activate`, cookie, { _csrf: csrfToken })).status).toBe(
      409,
    );

    // The customer signs in to the portal and sees the status.
    await kit.app.database.sql.query('update web_accounts set password_hash = $1 where customer_id = $2', [
      await hashPassword(CUSTOMER_PASSWORD),
      id,
    ]);
    const signInPage = await fetch(`${kit.app.url}/signin`);
    const jar = signInPage.headers.getSetCookie().map((c) => c.split(';')[0]);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await signInPage.text())![1]!;
    const signedIn = await post('/signin', jar.join('; '), {
      _csrf: csrf,
      email: 'marco@cliente.test',
      password: CUSTOMER_PASSWORD,
    });
    expect(signedIn.status).toBe(303);
    const session = [...jar, ...signedIn.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
    const portal = await (await get('/portal', session)).text();
    expect(portal).toContain('La sua registrazione non è stata accettata');
    expect(portal).not.toContain('action="/portal/tickets"');

    // Like a suspended customer: a mail from their (verified) address opens no ticket.
    await kit.app.database.sql.query('update identities set verified = true where customer_id = $1', [id]);
    const { outcome } = await mailFrom('marco@cliente.test', 'Ancora io');
    expect(outcome.status).toBe('unmatched');
    const { rows: held } = await kit.app.database.sql.query<{ disposition_reason: string }>(
      "select disposition_reason from messages where sender_address = 'marco@cliente.test' and direction = 'inbound'",
    );
    expect(held).toEqual([{ disposition_reason: 'customer rejected' }]);
  });

  it('links an unmatched message to a customer picked by email, then opens a ticket with it', async () => {
    const id = await registerCustomer('Sara Gialli', 'sara@cliente.test');
    await kit.app.channelContext.ingest({
      channel: 'email',
      externalId: '<sconosciuto-1@altro.test>',
      sender: { kind: 'email', address: 'sara.privata@altro.test', displayName: 'Sara' },
      subject: 'Il PC non si accende',
      newText: 'Buongiorno, il PC non si accende più.',
      fullText: 'Buongiorno, il PC non si accende più.',
      attachments: [],
      thread: {},
      receivedAt: new Date(),
      raw: { contentType: 'message/rfc822', data: 'From: sara.privata@altro.test\r\n\r\nx' },
    });
    const { rows: messages } = await kit.app.database.sql.query<{ id: string }>(
      "select id::text from messages where sender_address = 'sara.privata@altro.test' and disposition = 'unmatched'",
    );
    const messageId = messages[0]!.id;
    const { cookie, csrfToken } = await staffSession(kit.app.url, {
      email: 'tecnico@shop.test',
      password: PASSWORD,
    });
    const list = await (await get('/staff/unmatched', cookie)).text();
    expect(list).toContain('Il PC non si accende');
    expect(list).not.toContain(`/staff/unmatched/${messageId}/ticket`);
    expect(
      (await post(`/staff/unmatched/${messageId}/link`, cookie, { _csrf: csrfToken, query: 'nessuno-così' }))
        .status,
    ).toBe(404);
    // Several matches: the page asks which one.
    const pick = await (
      await post(`/staff/unmatched/${messageId}/link`, cookie, { _csrf: csrfToken, query: 'cliente.test' })
    ).text();
    expect(pick).toContain('Abbina al cliente: Sara Gialli');
    const linked = await post(`/staff/unmatched/${messageId}/link`, cookie, {
      _csrf: csrfToken,
      query: 'sara@cliente.test',
    });
    expect(linked.headers.get('location')).toBe('/staff/unmatched?done=linked');
    const { rows: ids } = await kit.app.database.sql.query<{ customer_id: string; verified: boolean }>(
      "select customer_id::text, verified from identities where address = 'sara.privata@altro.test'",
    );
    expect(ids).toEqual([{ customer_id: id, verified: true }]);
    expect(await (await get('/staff/unmatched', cookie)).text()).toContain(
      `/staff/unmatched/${messageId}/ticket`,
    );
    const opened = await post(`/staff/unmatched/${messageId}/ticket`, cookie, { _csrf: csrfToken });
    const number = /ticket=(\d+)/.exec(opened.headers.get('location') ?? '')![1]!;
    const { rows: tickets } = await kit.app.database.sql.query<{
      subject: string;
      customer_id: string;
      ticket_id: string;
    }>(
      'select t.subject, t.customer_id::text, m.ticket_id::text from tickets t join messages m on m.ticket_id = t.id where t.number = $1',
      [Number(number)],
    );
    expect(tickets).toEqual([
      { subject: 'Il PC non si accende', customer_id: id, ticket_id: expect.any(String) },
    ]);
    expect(await (await get('/staff/unmatched', cookie)).text()).not.toContain(`data-message="${messageId}"`);

    // The REST API does the same through the same core functions.
    const other = await mailFrom('sara.ufficio@altro.test', 'Stampante ufficio');
    const early = await kit.app.api(`/unmatched/${other.id}/ticket`, { method: 'POST' });
    expect(early.status).toBe(409);
    const link = await kit.app.api(`/unmatched/${other.id}/link`, {
      method: 'POST',
      body: { customerId: Number(id) },
    });
    expect(link.status).toBe(200);
    const made = await kit.app.api(`/unmatched/${other.id}/ticket`, { method: 'POST' });
    expect(made.status).toBe(201);
    expect(((await made.json()) as { ticketNumber: number }).ticketNumber).toBeGreaterThan(Number(number));
    expect((await kit.app.api(`/unmatched/${other.id}/ticket`, { method: 'POST' })).status).toBe(404);
  });
});

describe('registrations in a browser', () => {
  it('an admin with TOTP activates a registration (axe-clean page); a technician gets 403 on accounts', async () => {
    const secret = newTotpSecret();
    await createStaffAccount(kit.app.core, {
      email: 'admin@shop.test',
      role: 'admin',
      password: PASSWORD,
      totpSecret: secret,
      name: 'Amministratore',
    });
    const id = await registerCustomer('Giulia Rosa', 'giulia@cliente.test');
    const page: Page = await kit.noScript.newPage();
    await signInStaff(page, kit.app.url, {
      email: 'admin@shop.test',
      password: PASSWORD,
      totpSecret: secret,
    });
    expect(new URL(page.url()).pathname).toBe('/staff/tickets');
    await page.getByRole('link', { name: /^Registrazioni/ }).click();
    expect(new URL(page.url()).pathname).toBe('/staff/registrations');

    await kit.syncCookies();
    const checker = await kit.withScript.newPage();
    await checker.goto('/staff/registrations');
    expect(await axeViolations(checker)).toEqual([]);
    await checker.close();
    await kit.screenshot(page, 'staff-registrations');

    await page.click(`tr[data-customer="${id}"] button:has-text("Attiva")`);
    expect(await page.textContent('main')).toContain('Cliente attivato');
    const mail = await kit.smtp.waitFor(
      (m) => m.envelope.to.includes('giulia@cliente.test') && /attivato/.test(m.parsed.subject ?? ''),
    );
    expect(mail.parsed.text).toContain('Gentile Giulia Rosa');

    await kit.withScript.clearCookies();
    const tech = await kit.withScript.newPage();
    await signInStaff(tech, kit.app.url, { email: 'tecnico@shop.test', password: PASSWORD });
    const forbidden = await tech.goto('/staff/accounts');
    expect(forbidden?.status()).toBe(403);
    await tech.close();
    await page.close();
  }, 120_000);
});
