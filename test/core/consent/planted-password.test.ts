import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMailBatch } from '../../../src/channels/email/mail-batch.js';
import { MailParsePool } from '../../../src/channels/email/parse-pool.js';
import { SLACK_EVENTS_PATH } from '../../../src/channels/slack/http-receiver.js';
import { SlackAdapter } from '../../../src/channels/slack/slack-adapter.js';
import { TelegramAdapter } from '../../../src/channels/telegram/telegram-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { CHANNEL, SmtpOnlyEmail, TECH } from '../../channels/slack/slack-kit.js';
import { shownText, waitForText } from '../../channels/telegram/telegram-kit.js';
import { FakeSlack, signedPost } from '../../helpers/fake-slack/fake-slack.js';
import { eventCallback, messageEvent, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { seedEmbeddedDataDir } from '../../helpers/store-template.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createTestStore, type TestStore } from '../../helpers/test-database.js';

/**
 * Terms T4/T8: a remote-tool password a customer sends must end up ONLY in the private hand-over
 * to the technician. Planted in replies on email (a real client's quoted reply, through the real
 * parser), Telegram (grammY against the fake Bot API) and a Slack DM (signed HTTP events), then
 * searched for in every table (pg-boss's too, bytea included), every log line at trace level,
 * every file in DATA_DIR (an on-disk store: PGlite keeps dead tuples, so it must never be
 * written at all), and every payload the fakes received.
 */
const tag = () => randomUUID().replaceAll('-', '').slice(0, 16);
const PLANTS = {
  email: `Em${tag()}`,
  telegram: `Tg${tag()}`,
  slack: `Sk${tag()}`,
  ordinary: `Or${tag()}`,
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
let smtp: SmtpCapture;
const parser = new MailParsePool({ timeoutMs: 20_000 });
const TG_USER = 880_001;
const SLACK_USER = 'UCUSTPLNT';
const DM = 'DCUSTPLNT';
const EMAIL = 'mario.planted@example.test';
let sequence = 0;

beforeAll(async () => {
  tg = await FakeTelegramApi.start();
  slack = new FakeSlack();
  await slack.start();
  slack.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
  smtp = await startSmtpCapture();
  const server = await createTestStore();
  dataDir = mkdtempSync(path.join(tmpdir(), 'helpdesk-planted-'));
  store = server.databaseUrl ? { ...server, dataDir } : { dataDir, drop: async () => {} };
  // Embedded: the store on disk starts as the migrated template, like the in-memory ones.
  if (!server.databaseUrl) await seedEmbeddedDataDir(dataDir);
  app = await startTestApp({
    store,
    logger,
    env: { AUTO_REPLY_LIMIT_PER_HOUR: '100', WORKER_POLL_MS: '100' },
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
      new SmtpOnlyEmail(smtp),
    ],
  });
  for (const identity of [
    { kind: 'email' as const, address: EMAIL },
    { kind: 'telegram' as const, address: String(TG_USER) },
    { kind: 'slack' as const, address: SLACK_USER },
  ]) {
    await createCustomer(
      app.core,
      { name: `Cliente ${identity.kind}`, status: 'active', identities: [identity] },
      'test',
    );
  }
});

afterAll(async () => {
  await parser.close();
  await app?.close();
  await tg?.close();
  await slack?.stop();
  await smtp?.stop();
  await store?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A reply as Gmail writes it in Italian: new words on top, our message quoted below. */
function gmailReply(number: number, text: string, quoted: string): Buffer {
  sequence++;
  return Buffer.from(
    [
      `From: Mario Rossi <${EMAIL}>`,
      'To: assistenza@example.test',
      `Subject: Re: [#${number}] PC lento`,
      `Message-ID: <planted-${sequence}-${tag()}@mail.gmail.com>`,
      'Date: Tue, 01 Dec 2026 09:30:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      '',
      'Il giorno mar 1 dic 2026 alle ore 09:00 Assistenza <assistenza@example.test> ha scritto:',
      ...quoted.split('\n').map((line) => `> ${line}`),
      '',
    ].join('\r\n'),
  );
}

async function mail(source: Buffer) {
  sequence++;
  await ingestMailBatch(app.channelContext, [{ uid: sequence, source }], {
    maxAttachmentBytes: 1024 * 1024,
    maxMailBytes: 5 * 1024 * 1024,
    maxRawInputBytes: 5 * 1024 * 1024,
    parser,
    now: () => new Date(),
    logger,
    stats: { ingested: 0, failed: 0 },
  });
  await app.settle();
}

async function slackPost(body: unknown, form = false) {
  const text = form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
  const response = await signedPost(`${app.url}${SLACK_EVENTS_PATH}`, text, {
    secret: slack.signingSecret,
    timestamp: Math.floor(Date.now() / 1000),
    contentType: form ? 'application/x-www-form-urlencoded' : 'application/json',
  });
  expect(response.status).toBe(200);
}

async function dm(text: string) {
  const posted = slack.userMessage({ channel: DM, user: SLACK_USER, text });
  await slackPost(
    eventCallback(
      messageEvent({ channel: DM, user: SLACK_USER, text, ts: posted.ts, channel_type: 'im' }),
      `Ev${tag()}`,
    ),
  );
}

async function latestTicket(originChannel: string): Promise<number> {
  const { rows } = await app.database.sql.query<{ number: number }>(
    'select number from tickets where origin_channel = $1 order by id desc limit 1',
    [originChannel],
  );
  return rows[0]!.number;
}

async function events(number: number): Promise<string[]> {
  const response = await app.api(`/tickets/${number}/consents`);
  return ((await response.json()) as { consents: Array<{ event: string }> }).consents.map((c) => c.event);
}

async function until(check: () => Promise<boolean> | boolean, what: string) {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const askByApi = async (number: number) => {
  const response = await app.api(`/tickets/${number}/consents`, { body: { technician: 'Luca' } });
  expect(response.status).toBe(201);
  await app.settle();
};

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
      const stat = statSync(file);
      if (stat.isDirectory()) walk(file);
      else if (readFileSync(file).includes(bytes)) found.push(file);
    }
  };
  walk(dir);
  return found;
}

describe('a planted password', () => {
  it('is handed to the technician privately and found nowhere else', async () => {
    // Email: asked through the API; a yes and then the credentials as Gmail replies.
    await mail(gmailReply(0, 'Il PC è lentissimo', '').subarray(0));
    const emailTicket = await latestTicket('email');
    await askByApi(emailTicket);
    const request = smtp.messages.at(-1)!.parsed.text ?? '';
    await mail(gmailReply(emailTicket, 'Sì\n\nMario', request));
    expect(await events(emailTicket)).toEqual(['requested', 'granted']);
    await mail(gmailReply(emailTicket, `ID 123 456 789 password: ${PLANTS.email}\n\nMario`, request));
    expect(await events(emailTicket)).toEqual(['requested', 'granted', 'credentials_provided']);
    const read = await app.api(`/tickets/${emailTicket}/credentials`);
    expect(((await read.json()) as { credentials: string }).credentials).toContain(PLANTS.email);
    // An ordinary later mail with a password in it is redacted and still threaded and answered.
    await mail(gmailReply(emailTicket, `La password del wifi è ${PLANTS.ordinary}, grazie`, request));

    // Telegram: asked from Slack by the technician; the credentials go to them as an ephemeral.
    tg.queueUpdate(tg.textMessage({ fromId: TG_USER, text: 'La stampante non va' }));
    await waitForText(tg, TG_USER, 'abbiamo ricevuto');
    const tgTicket = await latestTicket('telegram');
    await until(
      () => slack.messages.some((m) => !m.thread_ts && m.text.includes(`#${tgTicket}`)),
      'the card',
    );
    await slackPost(
      slashCommand({
        command: '/helpdesk',
        text: `consent ${tgTicket}`,
        user: TECH,
        channel: CHANNEL,
        responseUrl: slack.responseUrl(),
      }),
      true,
    );
    const asked = await waitForText(tg, TG_USER, 'Risponda SÌ');
    expect(shownText(asked)).toContain('Giulia');
    tg.queueUpdate(tg.textMessage({ fromId: TG_USER, text: 'ok' }));
    await waitForText(tg, TG_USER, "l'ID e la password");
    tg.queueUpdate(tg.textMessage({ fromId: TG_USER, text: `123456789\n${PLANTS.telegram}` }));
    const ephemeral = await until(
      () => slack.ephemerals.some((e) => e.text.includes(PLANTS.telegram)),
      'the ephemeral hand-over',
    ).then(() => slack.ephemerals.find((e) => e.text.includes(PLANTS.telegram))!);
    expect(ephemeral.user).toBe(TECH);

    // Slack DM: asked through the API; the credentials are read once through the API.
    await dm('Il NAS non si accende');
    await until(async () => (await latestTicket('slack').catch(() => 0)) > 0, 'the Slack ticket');
    const slackTicket = await latestTicket('slack');
    await askByApi(slackTicket);
    await until(
      () => slack.messages.some((m) => m.channel === DM && m.text.includes('Risponda SÌ')),
      'request',
    );
    await dm('si');
    await until(async () => (await events(slackTicket)).includes('granted'), 'granted');
    await dm(`pw=${PLANTS.slack}`);
    await until(async () => (await events(slackTicket)).includes('credentials_provided'), 'credentials');
    const slackRead = await app.api(`/tickets/${slackTicket}/credentials`);
    expect(((await slackRead.json()) as { credentials: string }).credentials).toBe(`pw=${PLANTS.slack}`);
    await app.settle();

    // The technicians were told, without the secret.
    const alerts = (await (await app.api('/alerts?limit=200')).json()) as { alerts: Array<{ kind: string }> };
    expect(alerts.alerts.map((a) => a.kind)).toEqual(
      expect.arrayContaining(['secret_redacted', 'consent_credentials']),
    );
    const ticket = (await (await app.api(`/tickets/${emailTicket}`)).json()) as {
      messages: Array<{ direction: string; newText: string }>;
    };
    const inbound = ticket.messages.filter((m) => m.direction === 'inbound').map((m) => m.newText);
    expect(inbound).toContain('credenziali fornite (non conservate) / credentials provided (not stored)');
    expect(inbound.some((t) => t.includes('[redacted]'))).toBe(true);

    // The searches do find what is there (they cannot pass by looking nowhere).
    expect(await tablesHolding('consent-request-v1')).toContain('public.consents');
    expect(lines.length).toBeGreaterThan(0);
    // Nowhere else: tables, logs, fakes' payloads, files.
    for (const plant of ALL) {
      expect(await tablesHolding(plant), plant).toEqual([]);
      expect(lines.filter((line) => line.includes(plant))).toEqual([]);
      expect(JSON.stringify(tg.calls.map((c) => c.params))).not.toContain(plant);
      const slackCalls = slack.calls.filter(
        (c) => !(c.method === 'chat.postEphemeral' && c.args.user === TECH),
      );
      expect(JSON.stringify(slackCalls.map((c) => c.args))).not.toContain(plant);
      expect(smtp.messages.filter((m) => m.raw.includes(plant))).toEqual([]);
    }
    // Only the Telegram secret went to Slack, and only privately.
    const handOvers = slack.calls.filter((c) => JSON.stringify(c.args).includes(PLANTS.telegram));
    expect(handOvers.map((c) => [c.method, c.args.user])).toEqual([['chat.postEphemeral', TECH]]);
    await app.close();
    if (!store.databaseUrl) expect(filesHolding(dataDir, 'consent-request-v1').length).toBeGreaterThan(0);
    for (const plant of ALL) expect(filesHolding(dataDir, plant), plant).toEqual([]);
  });
});
