import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { settingsView, termsVersionView } from '../../src/api/routes-settings.js';
import { coreSettingsFrom } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { postHourSummary } from '../../src/core/billing/hour-summary.js';
import { recordTimeEntry } from '../../src/core/billing/time-entries.js';
import type { CoreContext } from '../../src/core/core-context.js';
import { createCustomer } from '../../src/core/customers.js';
import { InvalidSettingsError } from '../../src/core/errors.js';
import { loadSettings, updateSettings } from '../../src/core/settings.js';
import { listTermsVersions, publishTermsVersion } from '../../src/core/terms.js';
import { getTicketByNumber } from '../../src/core/tickets.js';
import { auditLog, settings } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';
import { createTestStore, type TestStore } from '../helpers/test-database.js';

/**
 * Settings in the database (#25 item 5): a change through the REST API or the core is effective
 * for the next ticket, consent request and hour summary, with no restart; the environment's values
 * stay the defaults; each change is audit-logged; a second process on the same store follows.
 */

/** Rome local times: CET (+01:00) in winter. */
const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

let store: TestStore;
let app: TestApp;
let clock = cet('2026-12-01', '10:00'); // a Tuesday
let n = 0;
const channel = new TestChannel();

async function customer(rate: number | null = null) {
  n++;
  const address = `settings${n}@example.test`;
  await createCustomer(
    app.core,
    {
      name: `Cliente ${n}`,
      status: 'active',
      hourlyRateCents: rate,
      identities: [{ kind: 'test', address }],
    },
    'test',
  );
  return address;
}

async function openTicket(from: string): Promise<number> {
  const outcome = await app.channelContext.ingest(inbound({ from, arrivedAt: clock }));
  if (outcome.status !== 'new_ticket') throw new Error(`expected a new ticket, got ${outcome.status}`);
  return outcome.ticketNumber;
}

const put = async (body: unknown) => app.api('/settings', { method: 'PUT', body });

beforeAll(async () => {
  store = await createTestStore();
  app = await startTestApp({
    store,
    adapters: () => [channel],
    now: () => clock,
    env: {
      BUSINESS_HOURS: '09:00-12:00,15:00-18:00',
      REMOTE_TOOL_NAME: 'RustDesk',
      HOURLY_RATE_CENTS: '3000',
    },
  });
});
afterAll(async () => {
  await app.close();
  await store.drop();
});

describe('settings stored in the database, effective without a restart', () => {
  it('new business hours give the next ticket a first-contact deadline on them, and move running ones', async () => {
    const address = await customer();
    const before = await openTicket(address);
    // Tuesday 10:00 + 12 business hours of 09–12 and 15–18 = Thursday 10:00.
    expect((await getTicketByNumber(app.core.database, before)).firstContactDueAt).toEqual(
      cet('2026-12-03', '10:00'),
    );

    const response = await put({ businessHours: '08:00-13:00,14:00-17:00' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      values: { businessHours: string };
      defaults: { businessHours: string };
    };
    expect(body.values.businessHours).toBe('08:00-13:00,14:00-17:00');
    expect(body.defaults.businessHours).toBe('09:00-12:00,15:00-18:00');

    // 8 business hours a day now: Tuesday 10:00 + 16 hours = Thursday 10:00 with the new ranges:
    // Tue 10–13, 14–17 (6 h), Wed 08–13, 14–17 (8 h), Thu 08:00–10:00 (2 h).
    const after = await openTicket(address);
    expect((await getTicketByNumber(app.core.database, after)).firstContactDueAt).toEqual(
      cet('2026-12-03', '10:00'),
    );
    // A ticket at 17:30 arrives after the new closing time (17:00): its clock starts Wednesday 08:00
    // and ends Thursday 17:00 (with the old hours, Thursday 17:30).
    clock = cet('2026-12-01', '17:30');
    const late = await openTicket(address);
    expect((await getTicketByNumber(app.core.database, late)).firstContactDueAt).toEqual(
      cet('2026-12-03', '17:00'),
    );
    // The ticket opened under the old hours is recomputed on the new ones (Thursday 10:00 either way).
    expect((await getTicketByNumber(app.core.database, before)).firstContactDueAt).toEqual(
      cet('2026-12-03', '10:00'),
    );
    // The acknowledgement tells the customer the new hours.
    await app.settle();
    const ack = channel.sentTo(address).at(-1)!;
    expect(ack.text).toContain('8:00-13:00 e 14:00-17:00');
    clock = cet('2026-12-01', '10:00');
  });

  it('a new remote tool is named in the next consent request', async () => {
    const response = await put({
      remoteToolName: 'AnyDesk',
      remoteToolUrl: 'https://anydesk.com/it/downloads',
    });
    expect(response.status).toBe(200);
    const address = await customer();
    const number = await openTicket(address);
    await app.settle();
    const asked = await app.api(`/tickets/${number}/consents`, {
      method: 'POST',
      body: { technician: 'Luca' },
    });
    expect(asked.status).toBe(201);
    await app.settle();
    const request = channel.sentTo(address).at(-1)!;
    expect(request.text).toContain('AnyDesk');
    expect(request.text).toContain('https://anydesk.com/it/downloads');
    expect(request.text).not.toContain('RustDesk');
  });

  it('the default rate and VAT apply to the next hour summary; a contract rate still wins', async () => {
    const response = await put({ hourlyRateCents: 4500, vatPercent: 10 });
    expect(response.status).toBe(200);
    const summaryOf = async (address: string) => {
      const number = await openTicket(address);
      return app.core.database.transaction(async (tx) => {
        await recordTimeEntry(app.core, tx, {
          ticketNumber: number,
          technician: 'Luca',
          minutes: 60,
          kind: 'remote',
          source: 'api',
        });
        return (
          await postHourSummary(app.core, tx, {
            ticketNumber: number,
            final: false,
            toCustomer: false,
            actor: 'test',
          })
        ).text;
      });
    };
    const text = await summaryOf(await customer());
    expect(text).toContain('45,00');
    expect(text).toContain('IVA 10%');
    const contract = await summaryOf(await customer(2000));
    expect(contract).toContain('20,00');
  });

  it('refuses bad values naming each field, and changes nothing', async () => {
    const response = await put({
      businessHours: '9-12',
      hourlyRateCents: -1,
      vatPercent: 101,
      remoteToolUrl: 'ftp://x',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe('settings_invalid');
    expect(Object.keys(body.fields).sort()).toEqual([
      'businessHours',
      'hourlyRateCents',
      'remoteToolUrl',
      'vatPercent',
    ]);
    expect(body.fields.businessHours).toContain('HH:MM-HH:MM');
    await expect(updateSettings(app.core, { hourlyRateCents: 12.5 }, 'test')).rejects.toBeInstanceOf(
      InvalidSettingsError,
    );
    expect(app.core.settings.hourlyRateCents).toBe(4500);
    expect(app.core.settings.vatPercent).toBe(10);
  });

  it('audit-logs each change with who made it and the old and new values; null goes back to the environment', async () => {
    await updateSettings(app.core, { vatPercent: null }, 'staff:admin@example.test');
    expect(app.core.settings.vatPercent).toBe(22);
    const rows = await app.database.db.select().from(settings).where(eq(settings.key, 'vatPercent'));
    expect(rows).toEqual([]);
    const [entry] = await app.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'setting.changed'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry!.actor).toBe('staff:admin@example.test');
    expect(entry!.data).toMatchObject({ key: 'vatPercent', old: 10, new: 22, reset: true });
  });

  it('another process on the same store takes the stored values when it loads them (at start, then each sweep)', async () => {
    // A second process's memory: its own settings and calendar from the same environment.
    const config = loadConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
    const other: CoreContext = { ...app.core, settings: coreSettingsFrom(config), calendar: config.calendar };
    await loadSettings(other);
    expect(other.settings.remoteToolName).toBe('AnyDesk');
    expect(other.calendar!.hours).toEqual([
      { start: '08:00', end: '13:00' },
      { start: '14:00', end: '17:00' },
    ]);
    await updateSettings(app.core, { remoteToolName: 'TeamViewer' }, 'test');
    expect(other.settings.remoteToolName).toBe('AnyDesk');
    await loadSettings(other);
    expect(other.settings.remoteToolName).toBe('TeamViewer');
    expect(other.settings.hourlyRateCents).toBe(4500);
  });

  it('publishes a new terms version, which becomes the current one', async () => {
    const before = await listTermsVersions(app.core);
    const published = await publishTermsVersion(
      app.core,
      { version: '2', body: 'Nuove condizioni.' },
      'test',
    );
    expect(published).toMatchObject({ version: '2', current: true });
    const versions = await listTermsVersions(app.core);
    expect(versions.length).toBe(before.length + 1);
    expect(versions[0]!.version).toBe('2');
    await expect(publishTermsVersion(app.core, { version: '2', body: 'x' }, 'test')).rejects.toMatchObject({
      fields: { version: expect.stringContaining('already published') },
    });
  });
});

describe('the settings API answers its documented shapes', () => {
  it('GET and PUT /settings, GET /terms-versions', async () => {
    const strict = settingsView.strict();
    strict.parse(await (await app.api('/settings')).json());
    const put = await app.api('/settings', { method: 'PUT', body: { vatPercent: 21 } });
    const after = strict.parse(await put.json());
    expect(after.values.vatPercent).toBe(21);
    expect(Object.keys(after.stored)).toContain('vatPercent');
    const unknown = await app.api('/settings', { method: 'PUT', body: { colour: 'red' } });
    expect(unknown.status).toBe(400);
    z.object({ versions: z.array(termsVersionView.strict()) })
      .strict()
      .parse(await (await app.api('/terms-versions')).json());
  });
});
