import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../../src/channels/slack/http-receiver.js';
import { SlackAdapter } from '../../../src/channels/slack/slack-adapter.js';
import { TelegramAdapter } from '../../../src/channels/telegram/telegram-adapter.js';
import { WebAdapter } from '../../../src/channels/web/web-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { findTickets } from '../../../src/core/ticket-search.js';
import { createLogger } from '../../../src/logger.js';
import { CHANNEL, TECH } from '../../channels/slack/slack-kit.js';
import { sentTo, shownText, waitForText } from '../../channels/telegram/telegram-kit.js';
import { FakeSlack, signedPost } from '../../helpers/fake-slack/fake-slack.js';
import { eventCallback, messageEvent, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import { createStaffAccount, staffSession } from '../../helpers/staff-kit.js';
import { seedEmbeddedDataDir } from '../../helpers/store-template.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createTestStore, type TestStore } from '../../helpers/test-database.js';
import { WEB_TEST_SETTINGS } from '../../helpers/web-kit.js';

/**
 * Terms T8 for what technicians type: a password in a reply or an internal note, written from the
 * staff dashboard, the REST API or Slack (thread reply, `nota:` thread note, `/helpdesk note`,
 * `/helpdesk reply`), or in a time entry's description, is redacted before it is stored. Searched
 * for in every table, every log line at trace level, every file of an on-disk store, every
 * payload sent to the customer (Telegram) and to Slack, and in the staff full-text search.
 */
const tag = () => randomUUID().replaceAll('-', '').slice(0, 12);
const PLANTS = {
  dashNote: `Zx9!${tag()}`,
  dashReply: `Qw3rty!${tag()}`,
  dashTime: `Tm4!${tag()}`,
  apiNote: `Ap1!${tag()}`,
  apiReply: `Ar2!${tag()}`,
  slackNote: `Sn5!${tag()}`,
  slackReply: `Sr6!${tag()}`,
  commandNote: `Cn7!${tag()}`,
  commandReply: `Cr8!${tag()}`,
};
const ALL = Object.values(PLANTS);

const lines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
const logger = createLogger('trace', capture);

let app: TestApp;
let store: TestStore;
let dataDir: string;
let tg: FakeTelegramApi;
let slack: FakeSlack;
const TG_USER = 880_101;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  tg = await FakeTelegramApi.start();
  slack = new FakeSlack();
  await slack.start();
  slack.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
  const server = await createTestStore();
  dataDir = mkdtempSync(path.join(tmpdir(), 'helpdesk-tech-planted-'));
  store = server.databaseUrl ? { ...server, dataDir } : { dataDir, drop: async () => {} };
  // Embedded: the store on disk starts as the migrated template, like the in-memory ones.
  if (!server.databaseUrl) await seedEmbeddedDataDir(dataDir);
  app = await startTestApp({
    store,
    logger,
    env: { AUTO_REPLY_LIMIT_PER_HOUR: '100', WORKER_POLL_MS: '100', PUBLIC_URL: 'http://staff.example.test' },
    adapters: (_context, core) => [
      new SlackAdapter({
        settings: {
          botToken: slack.botToken,
          signingSecret: slack.signingSecret,
          apiUrl: slack.apiUrl,
          channelId: CHANNEL,
          technicians: [TECH],
          notePrefix: 'nota:',
          replyMode: 'relay',
          relayDelayMs: 0,
          command: '/helpdesk',
        },
        core,
        logger,
        timeZone: 'Europe/Rome',
        maxFileBytes: 1024 * 1024,
        pollMs: 50,
        paceMs: 0,
      }),
      new TelegramAdapter({
        settings: { token: tg.token, apiRoot: tg.apiRoot },
        core,
        logger,
        pollTimeoutSeconds: 30,
        retryBaseMs: 50,
        maxRetryMs: 500,
      }),
      new WebAdapter({
        core,
        settings: WEB_TEST_SETTINGS,
        logger,
        email: () => undefined,
        linkFor: () => undefined,
      }),
    ],
  });
  await createCustomer(
    app.core,
    {
      name: 'Cliente Telegram',
      status: 'active',
      identities: [{ kind: 'telegram', address: String(TG_USER) }],
    },
    'test',
  );
  await createStaffAccount(app.core, {
    email: 'giulia@shop.test',
    role: 'technician',
    password: PASSWORD,
    name: 'Giulia',
  });
});

afterAll(async () => {
  await app?.close();
  await tg?.close();
  await slack?.stop();
  await store?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function slackPost(body: unknown, form = false) {
  const text = form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
  const response = await signedPost(`${app.url}${SLACK_EVENTS_PATH}`, text, {
    secret: slack.signingSecret,
    timestamp: Math.floor(Date.now() / 1000),
    contentType: form ? 'application/x-www-form-urlencoded' : 'application/json',
  });
  expect(response.status).toBe(200);
}

async function until(check: () => Promise<boolean> | boolean, what: string) {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every text column of every table of the app and of pg-boss, bytea shown as hex. */
async function tablesHolding(needle: string): Promise<string[]> {
  const hex = Buffer.from(needle).toString('hex');
  const { rows: tables } = await app.database.sql.query<{ s: string; t: string }>(
    `select table_schema as s, table_name as t from information_schema.tables
     where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`,
  );
  const found: string[] = [];
  for (const { s, t } of tables) {
    const { rows } = await app.database.sql.query<{ n: number }>(
      `select count(*)::int as n from "${s}"."${t}" x where x::text like $1 or x::text like $2`,
      [`%${needle}%`, `%${hex}%`],
    );
    if (rows[0]!.n > 0) found.push(`${s}.${t}`);
  }
  return found;
}

function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const bytes = Buffer.from(needle);
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = path.join(at, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (readFileSync(file).includes(bytes)) found.push(file);
    }
  };
  walk(dir);
  return found;
}

describe('a password a technician types', () => {
  it('is redacted on every path before it is stored, searched or sent, and the technician is told', async () => {
    tg.queueUpdate(tg.textMessage({ fromId: TG_USER, text: 'Il server non si avvia' }));
    await waitForText(tg, TG_USER, 'abbiamo ricevuto');
    const { rows } = await app.database.sql.query<{ number: number }>(
      `select number from tickets where origin_channel = 'telegram' order by id desc limit 1`,
    );
    const number = rows[0]!.number;
    const card = await slack.waitFor(() =>
      slack.messages.find((m) => !m.thread_ts && m.text.includes(`#${number}`)),
    );

    // Staff dashboard: a note, a reply, a time entry; each confirmation says what was redacted.
    const session = await staffSession(app.url, { email: 'giulia@shop.test', password: PASSWORD });
    const dashboard = async (action: string, fields: Record<string, string>) => {
      const response = await fetch(`${app.url}/staff/tickets/${number}/${action}`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: session.csrfToken, ...fields }).toString(),
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
      const page = await fetch(new URL(response.headers.get('location')!, app.url), {
        headers: { cookie: session.cookie },
      });
      return page.text();
    };
    const notePage = await dashboard('note', { text: `nota interna: password: ${PLANTS.dashNote}` });
    expect(notePage).toContain('sostituito da [redacted]');
    expect(notePage).toContain('nota interna: password: [redacted]');
    const replyPage = await dashboard('reply', { text: `Dashboard: la password è ${PLANTS.dashReply}` });
    expect(replyPage).toContain('sostituito da [redacted]');
    const timePage = await dashboard('time', {
      duration: '30m',
      kind: 'remote',
      note: `pwd ${PLANTS.dashTime}`,
    });
    expect(timePage).toContain('sostituito da [redacted]');
    const plainPage = await dashboard('note', { text: 'Nessun segreto qui' });
    expect(plainPage).not.toContain('sostituito da [redacted]');

    // REST API: the answer counts the secrets taken out.
    const apiNote = await app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: `password: ${PLANTS.apiNote}`, internal: true },
    });
    expect(await apiNote.json()).toMatchObject({ redacted: 1 });
    const apiReply = await app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: `API: pw=${PLANTS.apiReply}`, internal: false },
    });
    expect(await apiReply.json()).toMatchObject({ redacted: 1 });

    // Slack: a thread note and a thread reply; then /helpdesk note and reply.
    const threadReply = async (text: string) => {
      const posted = slack.userMessage({ channel: CHANNEL, user: TECH, text, thread_ts: card.ts });
      await slackPost(
        eventCallback(
          messageEvent({ channel: CHANNEL, user: TECH, text, ts: posted.ts, thread_ts: card.ts }),
          `Ev${tag()}`,
        ),
      );
    };
    await threadReply(`nota: password: ${PLANTS.slackNote}`);
    await threadReply(`Slack: la password è ${PLANTS.slackReply}`);
    for (const [sub, plant] of [
      ['note', PLANTS.commandNote],
      ['reply', PLANTS.commandReply],
    ] as const) {
      await slackPost(
        slashCommand({
          command: '/helpdesk',
          text: `${sub} ${number} Comando ${sub}: password: ${plant}`,
          user: TECH,
          channel: CHANNEL,
          responseUrl: slack.responseUrl(),
        }),
        true,
      );
    }
    await until(
      () => slack.ephemerals.filter((e) => e.text.includes('[redacted]')).length >= 2,
      'thread notices',
    );

    // The customer receives every reply, redacted.
    for (const marker of ['Dashboard:', 'API:', 'Slack:', 'Comando reply:']) {
      const sent = await waitForText(tg, TG_USER, marker);
      expect(shownText(sent)).toContain('[redacted]');
    }
    await app.settle();
    expect(sentTo(tg, TG_USER).map(shownText).join('\n')).not.toContain('Comando note');

    // The ticket shows the notes redacted; the search finds the ticket by its words, not by a secret.
    const ticket = (await (await app.api(`/tickets/${number}`)).json()) as {
      messages: Array<{ direction: string; newText: string }>;
    };
    const notes = ticket.messages.filter((m) => m.direction === 'note').map((m) => m.newText);
    expect(notes).toEqual(
      expect.arrayContaining([
        'nota interna: password: [redacted]',
        'password: [redacted]',
        'Comando note: password: [redacted]',
      ]),
    );
    expect((await findTickets(app.core, { search: 'Comando' })).rows.map((r) => r.number)).toContain(number);
    for (const plant of ALL) {
      expect((await findTickets(app.core, { search: plant })).rows, plant).toEqual([]);
      expect((await findTickets(app.core, { search: plant.slice(0, 3) })).rows, plant).toEqual([]);
    }

    // Nowhere: tables, logs, what the customer and Slack received, the store's files.
    expect(await tablesHolding('Nessun segreto qui')).toContain('public.messages');
    expect(lines.length).toBeGreaterThan(0);
    for (const plant of ALL) {
      expect(await tablesHolding(plant), plant).toEqual([]);
      expect(
        lines.filter((line) => line.includes(plant)),
        plant,
      ).toEqual([]);
      expect(JSON.stringify(tg.calls.map((c) => c.params)), plant).not.toContain(plant);
      expect(JSON.stringify(slack.calls.map((c) => c.args)), plant).not.toContain(plant);
    }
    await app.close();
    if (!store.databaseUrl) expect(filesHolding(dataDir, 'Nessun segreto qui').length).toBeGreaterThan(0);
    for (const plant of ALL) expect(filesHolding(dataDir, plant), plant).toEqual([]);
  });
});
