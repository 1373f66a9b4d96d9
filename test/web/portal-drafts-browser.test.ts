import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { PORTAL_PASSWORD, portalCustomer } from '../helpers/portal-client.js';
import { createStaffAccount, signInStaff } from '../helpers/staff-kit.js';
import { startWebKit, type WebKit } from '../helpers/web-kit.js';

// What a customer typed is never lost to an expired session or CSRF token (issue 22): in a real
// browser (Chromium, JavaScript off), the reply comes back in the form after signing in again,
// can be sent, and the ticket then holds it once.
let kit: WebKit;
let page: Page;
let number: number;
const EMAIL = 'giulia.neri@cliente.example';
const OTHER = 'piero.gialli@cliente.example';
const REPLY = 'La stampante ora stampa, ma solo in bianco e nero.\nIl toner colore è nuovo.';

async function signIn(email: string) {
  await page.goto('/signin');
  await page.fill('[name=email]', email);
  await page.fill('[name=password]', PORTAL_PASSWORD);
  await page.click('main button:has-text("Accedi")');
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await kit.app.database.sql.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

/** The session ends on the server, as when it times out (the browser still sends its cookie). */
const expireSessions = () => kit.app.database.sql.query('delete from web_sessions');

beforeAll(async () => {
  kit = await startWebKit();
  page = await kit.noScript.newPage();
  await portalCustomer(kit.app, kit.app.core, EMAIL);
  await portalCustomer(kit.app, kit.app.core, OTHER, { vatNumber: '12345678903' });
  await signIn(EMAIL);
  await page.fill('[name=subject]', 'Stampante a colori');
  await page.fill('[name=text]', 'Non stampa.');
  await page.click('button:has-text("Apri un ticket")');
  number = Number(/tickets\/(\d+)/.exec(page.url())![1]);
}, 120_000);

afterAll(async () => {
  await kit?.close();
});

describe('a reply refused for an expired session or form', () => {
  it('keeps the reply across a sign-in when the session expired, and sends it once', async () => {
    await page.goto(`/portal/tickets/${number}`);
    await page.fill('[name=text]', REPLY);
    await page.setInputFiles('[name=attachments]', {
      name: 'foto-stampa.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('not really a photo'),
    });
    await expireSessions();
    await page.click('main button:has-text("Rispondi")');
    const main = await page.textContent('main');
    expect(main).toContain('La sessione era scaduta');
    expect(main).toContain('acceda di nuovo e lo ritroverà nel modulo');
    expect(main).toContain('foto-stampa.jpg');
    expect(await count('select count(*)::int as n from messages where new_text = $1', [REPLY])).toBe(0);
    await kit.screenshot(page, 'draft-session-expired');

    await page.fill('[name=email]', EMAIL);
    await page.fill('[name=password]', PORTAL_PASSWORD);
    await page.click('main button:has-text("Accedi")');
    expect(new URL(page.url()).pathname).toBe(`/portal/tickets/${number}`);
    expect(await page.inputValue('[name=text]')).toBe(REPLY);
    expect(await page.textContent('main')).toContain('Ecco il messaggio che aveva scritto');
    expect(await page.textContent('main')).toContain('foto-stampa.jpg');
    await kit.screenshot(page, 'draft-restored');

    await page.click('main button:has-text("Rispondi")');
    expect(page.url()).toMatch(new RegExp(`/portal/tickets/${number}\\?sent=1$`));
    expect(await page.textContent('main')).toContain('La stampante ora stampa');
    expect(await count('select count(*)::int as n from messages where new_text = $1', [REPLY])).toBe(1);
    expect(await count('select count(*)::int as n from web_drafts')).toBe(0);
    await page.goto(`/portal/tickets/${number}`);
    expect(await page.inputValue('[name=text]')).toBe('');
  });

  it('shows the form again with the text and a fresh token when the CSRF cookie is gone', async () => {
    const text = 'Secondo tentativo: il cassetto 2 si inceppa.';
    await page.goto(`/portal/tickets/${number}`);
    await page.fill('[name=text]', text);
    await kit.noScript.clearCookies({ name: 'hd_csrf' });
    await page.click('main button:has-text("Rispondi")');
    expect(await page.textContent('main [role=alert]')).toContain('Il modulo era scaduto');
    expect(await page.inputValue('[name=text]')).toBe(text);
    expect(await count('select count(*)::int as n from messages where new_text = $1', [text])).toBe(0);
    await kit.screenshot(page, 'draft-csrf-refused');
    await page.click('main button:has-text("Rispondi")');
    expect(page.url()).toMatch(/\?sent=1$/);
    expect(await count('select count(*)::int as n from messages where new_text = $1', [text])).toBe(1);
  });

  it('keeps a new ticket and says so in English too', async () => {
    await page.goto('/portal?lang=en');
    await page.fill('[name=subject]', 'Scanner offline');
    await page.fill('[name=text]', 'The scanner does not show up on the network.');
    await expireSessions();
    await page.click('button:has-text("Open a ticket")');
    expect(await page.textContent('main')).toContain('Your session had expired');
    await page.fill('[name=email]', EMAIL);
    await page.fill('[name=password]', PORTAL_PASSWORD);
    await page.click('main button:has-text("Sign in")');
    expect(new URL(page.url()).pathname).toBe('/portal');
    expect(await page.inputValue('[name=subject]')).toBe('Scanner offline');
    expect(await page.inputValue('[name=text]')).toBe('The scanner does not show up on the network.');
    await page.click('button:has-text("Open a ticket")');
    expect(page.url()).toMatch(/\/portal\/tickets\/\d+\?sent=1$/);
    expect(await count("select count(*)::int as n from tickets where subject = 'Scanner offline'")).toBe(1);
    await page.goto('/portal?lang=it');
  });

  it('gives a kept draft back only to the customer who wrote it', async () => {
    const text = 'Testo riservato di Giulia.';
    await page.goto(`/portal/tickets/${number}`);
    await page.fill('[name=text]', text);
    await expireSessions();
    await page.click('main button:has-text("Rispondi")');
    expect(await count('select count(*)::int as n from web_drafts')).toBe(1);
    await signIn(OTHER);
    expect(new URL(page.url()).pathname).toBe('/portal');
    expect(await page.content()).not.toContain(text);
    await page.click('nav button:has-text("Esci")');
    await signIn(EMAIL);
    expect(await page.inputValue('[name=text]')).toBe(text);
  });

  it('keeps nothing from a forged cross-site post', async () => {
    await kit.app.database.sql.query('delete from web_drafts');
    const response = await fetch(`${kit.app.url}/portal/tickets/${number}/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ text: 'Chiamate il numero 899...' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/signin');
    expect(await count('select count(*)::int as n from web_drafts')).toBe(0);
  });
});

describe('a staff form refused by the CSRF check', () => {
  let desk: BrowserContext;
  let staffPage: Page;
  const TECH = { email: 'marco@negozio.example', password: 'password-del-tecnico-9' };

  beforeAll(async () => {
    desk = await kit.noScript.browser()!.newContext({ javaScriptEnabled: false, baseURL: kit.app.url });
    staffPage = await desk.newPage();
    await createCustomer(kit.app.core, { name: 'Altro', status: 'active', identities: [] }, 'test');
    await createStaffAccount(kit.app.core, { ...TECH, role: 'technician', name: 'Marco Blu' });
    await signInStaff(staffPage, kit.app.url, TECH);
  });

  afterAll(async () => {
    await desk?.close();
  });

  it('offers the written reply again with a fresh token, and sends it once', async () => {
    const text = 'Passo domattina a sostituire il fusore.';
    await staffPage.goto(`/staff/tickets/${number}`);
    await staffPage.fill('#f-reply', text);
    await desk.clearCookies({ name: 'hd_csrf' });
    await staffPage.click(`form[action="/staff/tickets/${number}/reply"] button[type=submit]`);
    expect(await staffPage.textContent('main [role=alert]')).toContain('Il modulo era scaduto');
    expect(await staffPage.inputValue('textarea[name=text]')).toBe(text);
    await kit.screenshot(staffPage, 'staff-csrf-resend');
    await staffPage.click('main button:has-text("Invia di nuovo")');
    expect(new URL(staffPage.url()).pathname).toBe(`/staff/tickets/${number}`);
    expect(
      await count("select count(*)::int as n from messages where new_text = $1 and direction = 'outbound'", [
        text,
      ]),
    ).toBe(1);
  });
});
