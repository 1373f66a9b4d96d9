import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../../src/core/customers.js';
import { createStaffAccount, signInStaff } from '../../helpers/staff-kit.js';
import { ARTIFACTS_DIR, axeViolations, startWebKit, type WebKit } from '../../helpers/web-kit.js';

// A technician on the staff ticket pages in a real browser (Chromium, JavaScript off): finds a
// ticket by an Italian word in another inflection, replies, and the customer's mailbox gets it.
let kit: WebKit;
let desk: BrowserContext;
let checker: BrowserContext;
let page: Page;
let number: number;
const CUSTOMER = 'lucia.verdi@cliente.example';
const TECH = { email: 'anna@negozio.example', password: 'password-del-tecnico-7' };
/** Where the README's screenshots live: copied from a run's artefacts with UPDATE_SCREENSHOTS=1 (a test run leaves the checkout clean). */
const README_SHOTS = path.resolve('docs/screenshots');

async function axeClean(url: string) {
  await checker.clearCookies();
  await checker.addCookies(await desk.cookies());
  const probe = await checker.newPage();
  await probe.goto(url);
  expect(await axeViolations(probe), `axe on ${url}`).toEqual([]);
  await probe.close();
}

async function shot(name: string) {
  await kit.screenshot(page, name);
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(README_SHOTS, { recursive: true });
  copyFileSync(path.join(ARTIFACTS_DIR, `${name}.png`), path.join(README_SHOTS, `${name}.png`));
}

async function mail(subject: string, text: string, id: string) {
  const outcome = await kit.app.channelContext.ingest({
    channel: 'email',
    externalId: `<${id}@cliente.example>`,
    sender: { kind: 'email', address: CUSTOMER, displayName: 'Lucia Verdi' },
    subject,
    newText: text,
    fullText: text,
    html: `<p>${text}</p><script>alert(1)</script>`,
    attachments: [],
    thread: {},
    receivedAt: new Date(),
    raw: { contentType: 'message/rfc822', data: `Subject: ${subject}\r\n\r\n${text}` },
  });
  if (outcome.status !== 'new_ticket') throw new Error(`expected a new ticket, got ${outcome.status}`);
  return outcome.ticketNumber;
}

beforeAll(async () => {
  kit = await startWebKit();
  const browser = kit.noScript.browser()!;
  desk = await browser.newContext({
    javaScriptEnabled: false,
    baseURL: kit.app.url,
    viewport: { width: 1280, height: 900 },
  });
  checker = await browser.newContext({ baseURL: kit.app.url, viewport: { width: 1280, height: 900 } });
  page = await desk.newPage();
  await createCustomer(
    kit.app.core,
    {
      name: 'Studio Verdi',
      status: 'active',
      identities: [{ kind: 'email', address: CUSTOMER, verified: true }],
    },
    'test',
  );
  await mail('Rete lenta', 'Da stamattina internet è lentissimo.', 'm1');
  number = await mail('Problema in ufficio', 'Le stampanti del secondo piano non stampano più.', 'm2');
  await kit.app.settle();
  await createStaffAccount(kit.app.core, { ...TECH, role: 'technician', name: 'Anna Bianchi' });
}, 120_000);

afterAll(async () => {
  await desk?.close();
  await checker?.close();
  await kit?.close();
});

describe('staff ticket pages in a browser', () => {
  it('keeps the pages behind the sign-in, attachments included', async () => {
    const list = await fetch(`${kit.app.url}/staff/tickets`, { redirect: 'manual' });
    expect(list.status).toBe(303);
    expect(list.headers.get('location')).toContain('/staff/sign-in');
    const file = await fetch(`${kit.app.url}/staff/attachments/1`, { redirect: 'manual' });
    expect(file.status).toBe(303);
  });

  it('finds the ticket by "stampante" when the mail says "stampanti", highlighted', async () => {
    await signInStaff(page, kit.app.url, TECH);
    await page.goto('/staff/tickets');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.fill('[name=q]', 'stampante');
    await page.click('form[action="/staff/tickets"] button[type=submit]');
    expect(page.url()).toContain('q=stampante');
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(`#${number}`);
    expect(await rows.first().locator('mark').allTextContents()).toContain('stampanti');
    await shot('staff-tickets');
    await axeClean(page.url());
  });

  it('shows the thread with the mail HTML sanitised, replies, and the customer gets the mail', async () => {
    await page.click(`tbody a[href="/staff/tickets/${number}"] >> nth=0`);
    expect(await page.textContent('h1')).toContain('Problema in ufficio');
    const thread = page.locator('ol.thread');
    expect(await thread.textContent()).toContain('Le stampanti del secondo piano');
    expect(await page.locator('ol.thread script').count()).toBe(0);
    await page.fill('#f-reply', 'Buongiorno, passo alle 15 a controllare le stampanti.');
    await page.click('form[action$="/reply"] button[type=submit]');
    expect(await page.textContent('main')).toContain('Risposta in invio al cliente');
    const sent = await kit.smtp.waitFor(
      (m) => m.envelope.to.includes(CUSTOMER) && /passo alle 15/.test(m.parsed.text ?? ''),
    );
    expect(sent.parsed.text).toContain('controllare le stampanti');
    await kit.app.settle();
    await page.reload();
    const reply = page.locator('article.outbound', { hasText: 'passo alle 15' });
    expect(await reply.textContent()).toContain('Risposta di Anna Bianchi');
    expect(await reply.locator('.delivery').textContent()).toContain('email inviato');
  });

  it('takes the ticket and adds an internal note the customer never gets', async () => {
    const before = kit.smtp.messages.length;
    await page.click('form[action$="/take"] button[type=submit]');
    expect(await page.textContent('.ticket-facts')).toContain('Anna Bianchi');
    await page.fill('#f-note', 'Toner quasi finito, ordinarne uno.');
    await page.click('form[action$="/note"] button[type=submit]');
    const note = page.locator('article.note', { hasText: 'Toner quasi finito' });
    expect(await note.textContent()).toContain('Nota interna di Anna Bianchi');
    await kit.app.settle();
    expect(kit.smtp.messages.slice(before).some((m) => /Toner/.test(m.parsed.text ?? ''))).toBe(false);
    await shot('staff-ticket');
    await axeClean(page.url());
  });

  it('resolves and reopens, and refuses a wrong duration with the reason', async () => {
    await page.fill('#f-time', 'tanto');
    await page.click('form[action$="/time"] button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('Durata non valida');
    await page.fill('#f-time', '1h30');
    await page.click('form[action$="/time"] button[type=submit]');
    expect(await page.textContent('main')).toContain('Tempo registrato');
    await page.click('form[action$="/resolve"] button[type=submit]');
    expect(await page.textContent('.ticket-facts')).toContain('Risolto');
    await page.click('form[action$="/reopen"] button[type=submit]');
    expect(await page.textContent('.ticket-facts')).toContain('Aperto');
  });

  it('gives back a reply typed while the session expired, after signing in again, unsent', async () => {
    await page.goto(`/staff/tickets/${number}`);
    const text = 'Ho ordinato il toner nuovo: arriva giovedì e lo installo io.';
    await page.fill('#f-reply', text);
    await kit.app.database.sql.query('delete from web_sessions');
    const before = kit.smtp.messages.length;
    await page.click('form[action$="/reply"] button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('La sessione era scaduta');
    await page.fill('[name=email]', TECH.email);
    await page.fill('[name=password]', TECH.password);
    await page.click('main button[type=submit]');
    expect(new URL(page.url()).pathname).toBe(`/staff/tickets/${number}`);
    expect(await page.inputValue('#f-reply')).toBe(text);
    expect(await page.textContent('[role=status]')).toContain('non è ancora stato inviato');
    await kit.screenshot(page, 'staff-draft-restored');
    await kit.app.settle();
    expect(kit.smtp.messages.slice(before).some((m) => /toner nuovo/.test(m.parsed.text ?? ''))).toBe(false);
    await page.click('form[action$="/reply"] button[type=submit]');
    expect(await page.textContent('main')).toContain('Risposta in invio al cliente');
    const sent = await kit.smtp.waitFor(
      (m) => m.envelope.to.includes(CUSTOMER) && /toner nuovo/.test(m.parsed.text ?? ''),
    );
    expect(sent.parsed.text).toContain('lo installo io');
  });
});
