import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../../src/core/customers.js';
import { createStaffAccount, signInStaff } from '../../helpers/staff-kit.js';
import { inbound } from '../../helpers/test-channel.js';
import { axeViolations, startWebKit, type WebKit } from '../../helpers/web-kit.js';

// The staff reports in a real browser without JavaScript (axe-core with it): the seeded figures,
// a screenshot for the README, and the audit log closed to a technician.
let kit: WebKit;
const PASSWORD = 'password-di-prova-123';
const PERIOD = '/staff/reports?fromMonth=2026-02&toMonth=2026-03&fromWeek=2026-W09&toWeek=2026-W10';

beforeAll(async () => {
  kit = await startWebKit();
  const core = kit.app.core;
  await createCustomer(
    core,
    {
      name: 'Verdi Snc',
      locale: 'it',
      status: 'active',
      identities: [{ kind: 'test', address: 'verdi@t.test' }],
    },
    'test',
  );
  const outcome = await kit.app.channelContext.ingest(inbound({ from: 'verdi@t.test', newText: 'PC lento' }));
  if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
  const logged = await kit.app.api(`/tickets/${outcome.ticketNumber}/time`, {
    body: { technician: 'Luca', minutes: 90, startedAt: '2026-03-02T08:00:00Z' },
  });
  expect(logged.status).toBe(201);
  await kit.app.database.sql.query(
    `update tickets set first_contact_due_at = '2026-02-25T16:00:00Z', first_contact_at = '2026-02-24T09:00:00Z',
            origin_channel = 'email', created_at = '2026-03-02T08:00:00Z' where number = $1`,
    [outcome.ticketNumber],
  );
  await createStaffAccount(core, { email: 'admin@shop.test', role: 'admin', password: PASSWORD });
  await createStaffAccount(core, { email: 'tech@shop.test', role: 'technician', password: PASSWORD });
}, 180_000);

afterAll(async () => {
  await kit?.close();
});

describe('staff reports in a browser', () => {
  it('shows the seeded figures in tables beside the charts, is axe-clean, and is screenshotted', async () => {
    const page = await kit.noScript.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    await signInStaff(page, kit.app.url, { email: 'admin@shop.test', password: PASSWORD });
    await page.goto(PERIOD);
    const revenue = page.locator('table', { has: page.locator('caption', { hasText: 'Ore e ricavi' }) });
    expect(await revenue.locator('tbody tr').first().textContent()).toMatch(
      /Verdi Snc\s*2026-03\s*1,50\s*1,50\s*€ 45,00\s*€ 54,90/,
    );
    const weeks = page.locator('table', { has: page.locator('caption', { hasText: 'Primo contatto' }) });
    expect(await weeks.locator('tbody tr').first().textContent()).toMatch(/^\s*2026-02-23\s*1\s*0\s*0\s*$/);
    const channels = page.locator('table', {
      has: page.locator('caption', { hasText: 'Ticket per canale' }),
    });
    expect(await channels.locator('tbody').textContent()).toMatch(/email\s*1/);
    // The charts are drawn without JavaScript, each named for assistive technology.
    const charts = page.locator('svg[role=img]');
    expect(await charts.count()).toBe(5);
    expect(await charts.first().getAttribute('aria-labelledby')).toBe(
      'chart-revenue-title chart-revenue-desc',
    );
    expect(await page.locator('svg[role=img] rect').count()).toBeGreaterThan(3);
    await kit.screenshot(page, 'staff-reports');

    await kit.syncCookies();
    const checker = await kit.withScript.newPage();
    await checker.goto(PERIOD);
    expect(await axeViolations(checker)).toEqual([]);
    await checker.goto('/staff/audit');
    expect(await checker.locator('h1').textContent()).toBe('Registro delle attività');
    expect(await axeViolations(checker)).toEqual([]);
    await checker.close();
    await page.close();
  }, 180_000);

  it('a technician sees the reports but not the audit log', async () => {
    await kit.noScript.clearCookies();
    const page = await kit.noScript.newPage();
    await signInStaff(page, kit.app.url, { email: 'tech@shop.test', password: PASSWORD });
    expect((await page.goto(PERIOD))!.status()).toBe(200);
    expect(await page.locator('nav a[href="/staff/audit"]').count()).toBe(0);
    const audit = await page.goto('/staff/audit');
    expect(audit!.status()).toBe(403);
    expect(await page.locator('main').textContent()).not.toContain('Autore');
    await page.close();
  }, 120_000);
});
