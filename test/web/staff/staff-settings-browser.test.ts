import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstContactDeadline } from '../../../src/core/business-time.js';
import { createCustomer } from '../../../src/core/customers.js';
import { getTicketByNumber } from '../../../src/core/tickets.js';
import { auditLog, customers, firstContactClocks, settings } from '../../../src/db/schema.js';
import { createStaffAccount, signInStaff } from '../../helpers/staff-kit.js';
import { inbound } from '../../helpers/test-channel.js';
import { axeViolations, startWebKit, type WebKit } from '../../helpers/web-kit.js';

// The admin's settings and customers pages (#25 items 3 and 5) in Debian's Chromium, JavaScript
// off; axe-core in a second context with JavaScript on.
let kit: WebKit;
let page: Page;
const ADMIN = { email: 'titolare@negozio.example', password: 'password-admin-lunga-1' };
const TECH = { email: 'tecnico@negozio.example', password: 'password-tecnico-lunga-2' };
const CUSTOMER = 'anna.bianchi@cliente.example';
let customerId = '';

/** Rome local times: CET (+01:00) in winter. */
const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

async function axeClean(path: string) {
  await kit.syncCookies();
  const checker = await kit.withScript.newPage();
  await checker.goto(path);
  expect(await axeViolations(checker), `axe on ${path}`).toEqual([]);
  await checker.close();
}

async function openTicket(arrivedAt: Date): Promise<number> {
  const outcome = await kit.app.channelContext.ingest(
    inbound({ from: CUSTOMER, channel: 'email', sender: { kind: 'email', address: CUSTOMER }, arrivedAt }),
  );
  if (outcome.status !== 'new_ticket') throw new Error(`expected a new ticket, got ${outcome.status}`);
  return outcome.ticketNumber;
}

beforeAll(async () => {
  kit = await startWebKit();
  page = await kit.noScript.newPage();
  const core = kit.app.core;
  await createStaffAccount(core, { ...ADMIN, role: 'admin', name: 'Titolare' });
  await createStaffAccount(core, { ...TECH, role: 'technician', name: 'Luca' });
  const created = await createCustomer(
    core,
    {
      name: 'Bianchi Anna',
      status: 'active',
      quickAccess: true,
      acceptedTermsVersion: '1',
      identities: [{ kind: 'email', address: CUSTOMER }],
    },
    'test',
  );
  customerId = created.id.toString();
  // Active since long ago: a ticket's first-contact clock starts at its arrival.
  await kit.app.database.db
    .update(customers)
    .set({ activatedAt: cet('2026-01-05', '09:00') })
    .where(eq(customers.id, created.id));
  // A contract and a consent granted, through the API as the rest of the app would.
  const contract = await kit.app.api(`/customers/${customerId}/contract`, {
    method: 'PUT',
    body: {
      hourlyRateCents: 4000,
      rounding: { mode: 'block', minutes: 15, scope: 'ticket' },
      minimumMinutes: 30,
      outOfHoursSurchargePercent: 0,
    },
  });
  expect(contract.status).toBe(200);
  const prepaid = await kit.app.api(`/customers/${customerId}/prepaid`, {
    body: { minutes: 600, validFrom: '2026-01-01', validUntil: '2026-12-31', note: 'Pacchetto 10 ore' },
  });
  expect(prepaid.status).toBe(201);
  const number = await openTicket(new Date(Date.now() - 60_000));
  const asked = await kit.app.api(`/tickets/${number}/consents`, { body: { technician: 'Luca' } });
  expect(asked.status).toBe(201);
  await kit.app.channelContext.ingest(
    inbound({
      from: CUSTOMER,
      channel: 'email',
      sender: { kind: 'email', address: CUSTOMER },
      newText: 'Sì, grazie!',
      fullText: 'Sì, grazie!',
      thread: { ticketNumber: number },
    }),
  );
}, 120_000);

afterAll(async () => {
  await kit?.close();
});

// Each test drives several pages and waits for axe: generous on a loaded machine (not a speed check).
describe('staff settings and customers in a browser', { timeout: 120_000 }, () => {
  it('an admin changes business hours on the settings page, and a new first-contact deadline uses them', async () => {
    await signInStaff(page, kit.app.url, ADMIN);
    await page.goto('/staff/settings');
    await axeClean('/staff/settings');
    expect(await page.inputValue('[name=businessHours]')).toBe('09:00-12:00,15:00-18:00');
    await page.fill('[name=businessHours]', '9-12');
    await page.fill('[name=vatPercent]', '101');
    await page.click('button:has-text("Salva")');
    expect(await page.textContent('#f-businessHours-error')).toContain('HH:MM-HH:MM');
    expect(await page.textContent('#f-vatPercent-error')).toContain('100');
    await page.fill('[name=businessHours]', '08:00-13:00,14:00-17:00');
    await page.fill('[name=vatPercent]', '22');
    await page.fill('[name=remoteToolName]', 'AnyDesk');
    await page.click('button:has-text("Salva")');
    expect(await page.textContent('main')).toContain('valgono da subito');
    expect(await page.inputValue('[name=businessHours]')).toBe('08:00-13:00,14:00-17:00');
    await kit.screenshot(page, 'staff-settings');

    // Tuesday 17:30 is after the new closing time (17:00): Wednesday 08:00 + 16 business hours is
    // Thursday 17:00 (with the old hours it would be Thursday 17:30).
    const number = await openTicket(cet('2026-11-24', '17:30'));
    const ticket = await getTicketByNumber(kit.app.core.database, number);
    expect(ticket.firstContactDueAt).toEqual(cet('2026-11-26', '17:00'));
    const [clock] = await kit.app.database.db
      .select()
      .from(firstContactClocks)
      .where(eq(firstContactClocks.ticketId, ticket.id));
    expect(firstContactDeadline(clock!.clockFrom)).toEqual(cet('2026-11-26', '17:30'));
    const [audited] = await kit.app.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'setting.changed'))
      .limit(1);
    const { rows } = await kit.app.database.sql.query<{ id: string }>(
      'select id::text as id from staff_accounts where email = $1',
      [ADMIN.email],
    );
    expect(audited!.actor).toBe(`staff:${rows[0]!.id}`);
  });

  it('goes back to an environment default, adds and removes a closure, publishes a new terms version', async () => {
    await page.goto('/staff/settings');
    expect(await page.inputValue('[name=remoteToolName]')).toBe('AnyDesk');
    await page.check('#reset-remoteToolName');
    await page.click('button:has-text("Salva")');
    expect(await page.inputValue('[name=remoteToolName]')).toBe('RustDesk');
    expect(kit.app.core.settings.remoteToolName).toBe('RustDesk');
    expect(await page.locator('#reset-remoteToolName').count()).toBe(0);
    await page.fill('[name=date]', '2027-08-16');
    await page.fill('[name=reason]', 'Ponte di Ferragosto');
    await page.click('button:has-text("Aggiungi chiusura")');
    expect(await page.textContent('main')).toContain('Ponte di Ferragosto');
    await page.click('button[aria-label="Rimuovi 2027-08-16"]');
    expect(await page.textContent('main')).toContain('Chiusura rimossa');
    expect(await page.textContent('main')).not.toContain('Ponte di Ferragosto');
    await page.fill('[name=version]', '2');
    await page.fill('[name=body]', 'Condizioni generali, versione 2.');
    await page.click('button:has-text("Pubblica nuova versione")');
    expect(await page.textContent('main')).toContain('Nuova versione pubblicata');
    expect(await page.textContent('main')).toContain('2 (in vigore)');
  });

  it('an admin drops Wednesday and opens Saturday morning, and a new first-contact deadline skips Wednesday', async () => {
    await page.goto('/staff/settings');
    expect(await page.isChecked('#day-3')).toBe(true);
    expect(await page.isChecked('#day-6')).toBe(false);
    await page.uncheck('#day-3');
    await page.check('#day-6');
    await page.fill('[name=hours-6]', '9-12');
    await page.click('button:has-text("Salva")');
    expect(await page.textContent('#f-hours-6-error')).toContain('HH:MM-HH:MM');
    expect(await page.isChecked('#day-3')).toBe(false);
    await page.fill('[name=hours-6]', '09:00-12:00');
    await page.click('button:has-text("Salva")');
    expect(await page.textContent('main')).toContain('valgono da subito');
    expect(await page.isChecked('#day-3')).toBe(false);
    expect(await page.inputValue('[name=hours-6]')).toBe('09:00-12:00');
    await kit.screenshot(page, 'staff-settings-week');

    // Tuesday 17:30, after closing (17:00): Wednesday is closed now, so the clock starts Thursday
    // 08:00 and 16 business hours end Friday 17:00 (Thursday 17:00 with Wednesday open).
    const number = await openTicket(cet('2026-11-24', '17:30'));
    expect((await getTicketByNumber(kit.app.core.database, number)).firstContactDueAt).toEqual(
      cet('2026-11-27', '17:00'),
    );
    // What the form sent back unchanged is not stored: the VAT still follows the environment.
    const stored = (await kit.app.database.db.select().from(settings)).map((row) => row.key).sort();
    expect(stored).toEqual(['businessHours', 'weekdayHours', 'workingDays']);
    await page.check('#reset-week');
    await page.click('button:has-text("Salva")');
    expect(await page.isChecked('#day-3')).toBe(true);
    expect(kit.app.core.calendar!.workingDays).toEqual([1, 2, 3, 4, 5]);
  });

  it('lists customers by search, and shows one with contract, quick access and consent history', async () => {
    await page.goto('/staff/customers?q=anna.bianchi');
    await axeClean('/staff/customers?q=anna.bianchi');
    expect(await page.textContent('main table')).toContain('Bianchi Anna');
    await page.goto('/staff/customers?q=nessuno-così');
    expect(await page.textContent('main')).toContain('Nessun cliente trovato');
    await page.goto('/staff/customers');
    await page.click('a:has-text("Bianchi Anna")');
    expect(new URL(page.url()).pathname).toBe(`/staff/customers/${customerId}`);
    await axeClean(`/staff/customers/${customerId}`);
    const main = (await page.textContent('main'))!;
    expect(main).toContain(CUSTOMER);
    expect(main).toContain('40,00');
    expect(main).toContain('a blocchi di 15 minuti');
    expect(main).toContain('10 h');
    expect(main).toContain('Pacchetto 10 ore');
    expect(main).toContain('richiesto');
    expect(main).toContain('concesso');
    expect(main).toContain('Sì, grazie!');
    // The terms version 2 published above: the customer accepted 1.
    expect(main).toContain('1 (in vigore: 2)');
    await kit.screenshot(page, 'staff-customer');

    await page.fill('[name=rate]', '35,50');
    await page.selectOption('[name=rounding]', 'none');
    await page.click('button:has-text("Salva")');
    expect(await page.textContent('main')).toContain('Contratto salvato');
    expect(await page.textContent('main')).toContain('35,50');
    await page.fill('[name=hours]', '7,5');
    await page.fill('[name=validFrom]', '2027-01-01');
    await page.fill('[name=validUntil]', '2027-12-31');
    await page.click('button:has-text("Aggiungi pacchetto")');
    expect(await page.textContent('main')).toContain('Pacchetto aggiunto');
    expect(await page.textContent('main')).toContain('7 h 30 min');
  });

  it('a technician sees customers but cannot reach the settings or change a contract', async () => {
    const context = await kit.noScript
      .browser()!
      .newContext({ javaScriptEnabled: false, baseURL: kit.app.url });
    const tech = await context.newPage();
    await signInStaff(tech, kit.app.url, TECH);
    const settings = await tech.goto('/staff/settings');
    expect(settings!.status()).toBe(403);
    await tech.goto(`/staff/customers/${customerId}`);
    expect(await tech.textContent('main')).toContain('Solo un amministratore');
    expect(await tech.locator('[name=rate]').count()).toBe(0);
    await context.close();
  });
});
