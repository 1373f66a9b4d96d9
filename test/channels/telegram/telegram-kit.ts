import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message } from 'grammy/types';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  TelegramAdapter,
  type TelegramAdapterOptions,
} from '../../../src/channels/telegram/telegram-adapter.js';
import type {
  ChannelAdapter,
  ChannelContext,
  InboundMessage,
  OutboundMessage,
} from '../../../src/core/channel.js';
import { createCustomer } from '../../../src/core/customers.js';
import type { Logger } from '../../../src/logger.js';
import {
  FakeTelegramApi,
  type FakeTelegramOptions,
  type RecordedCall,
} from '../../helpers/fake-telegram-api.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createPersistentTestStore, type TestStore } from '../../helpers/test-database.js';

/** Makes `ingest` fail like a database that is down, on demand. */
export class FlakyIngest {
  /** Calls still to fail like a database that is down. */
  failures = 0;
  /** Calls still to fail like a bug: an error no retry can fix. */
  permanentFailures = 0;
  /** Each failed call: the external id and the offset Telegram had been told at that moment. */
  readonly failed: Array<{ externalId: string; confirmedUpTo: number }> = [];

  constructor(private readonly fake: FakeTelegramApi) {}

  wrap(context: ChannelContext): ChannelContext {
    return {
      ...context,
      ingest: async (message: InboundMessage) => {
        if (this.permanentFailures > 0) {
          this.permanentFailures -= 1;
          throw new TypeError("Cannot read properties of undefined (reading 'id')");
        }
        if (this.failures > 0) {
          this.failures -= 1;
          this.failed.push({ externalId: message.externalId, confirmedUpTo: this.fake.stats.confirmedUpTo });
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        }
        return context.ingest(message);
      },
    };
  }
}

/** An email channel that only records what it is asked to send (for `/link` mails). */
export class RecordingEmail implements ChannelAdapter {
  readonly name = 'email' as const;
  readonly sent: OutboundMessage[] = [];
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(message: OutboundMessage) {
    this.sent.push(message);
    return { externalId: `<mail-${this.sent.length}@example.test>` };
  }
}

export interface TelegramTestApp {
  app: TestApp;
  adapter: TelegramAdapter;
  flaky: FlakyIngest;
  email: RecordingEmail;
}

/** What `startTelegramApp` takes besides the fake. */
export type TelegramAppOptions = NonNullable<Parameters<typeof startTelegramApp>[1]>;

/**
 * One fake Bot API and one app shared by a test file: started before all its tests, closed after
 * all; after each test, the fake must have seen no internal error. Read `fake` and `t` inside tests.
 */
export function useTelegramApp(
  options: {
    fake?: FakeTelegramOptions;
    app?: TelegramAppOptions | (() => Promise<TelegramAppOptions>);
  } = {},
): { readonly fake: FakeTelegramApi; readonly t: TelegramTestApp } {
  const suite = {} as { fake: FakeTelegramApi; t: TelegramTestApp };
  beforeAll(async () => {
    suite.fake = await FakeTelegramApi.start(options.fake);
    const appOptions = typeof options.app === 'function' ? await options.app() : options.app;
    suite.t = await startTelegramApp(suite.fake, appOptions);
  });
  afterEach(() => {
    expect(suite.fake.internalErrors).toEqual([]);
  });
  afterAll(async () => {
    await suite.t?.app.close();
    await suite.fake?.close();
  });
  return suite;
}

/** The whole app with the real Telegram adapter against `fake`. */
export async function startTelegramApp(
  fake: FakeTelegramApi,
  options: {
    store?: TestStore;
    webhook?: { url: string; secret: string };
    port?: number;
    adapter?: Partial<TelegramAdapterOptions>;
    /** More settings, as environment variables. */
    env?: Record<string, string>;
  } = {},
): Promise<TelegramTestApp> {
  let adapter!: TelegramAdapter;
  const flaky = new FlakyIngest(fake);
  const email = new RecordingEmail();
  const app = await startTestApp({
    store: options.store,
    env: {
      AUTO_REPLY_LIMIT_PER_HOUR: '100',
      ...(options.port !== undefined ? { PORT: String(options.port) } : {}),
      ...options.env,
    },
    adapters: (_context, core) => {
      adapter = new TelegramAdapter({
        settings: { token: fake.token, apiRoot: fake.apiRoot, webhook: options.webhook },
        core,
        pollTimeoutSeconds: 30,
        retryBaseMs: 50,
        maxRetryMs: 500,
        ...options.adapter,
      });
      const start = adapter.start.bind(adapter);
      adapter.start = (context) => start(flaky.wrap(context));
      return [adapter, email];
    },
  });
  return { app, adapter, flaky, email };
}

/** A free TCP port on loopback (for a webhook URL known before the app listens). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A store that survives an app restart: a temp data dir (embedded) or a server database. */
export function persistentStore(): Promise<TestStore> {
  return createPersistentTestStore('helpdesk-telegram-');
}

let nextUser = 700_000;

/** A fresh Telegram user id, unique in this process. */
export function newUserId(): number {
  nextUser += 1;
  return nextUser;
}

/** An active customer whose Telegram account is already linked. */
export async function linkedCustomer(app: TestApp, userId: number, locale: 'it' | 'en' = 'it') {
  return createCustomer(
    app.core,
    {
      name: `Cliente ${userId}`,
      locale,
      status: 'active',
      identities: [
        { kind: 'telegram', address: String(userId) },
        { kind: 'email', address: `user${userId}@example.test` },
      ],
    },
    'test',
  );
}

/** The plain text Telegram shows for a recorded send (HTML parsed by the fake). */
export function shownText(call: RecordedCall): string {
  return (call.result as Message).text ?? '';
}

/** Successful sendMessage calls to one chat, oldest first. */
export function sentTo(fake: FakeTelegramApi, chatId: number | string): RecordedCall[] {
  return fake.sent.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId));
}

/** Waits for a message to `chatId` whose shown text contains `fragment`. */
export function waitForText(fake: FakeTelegramApi, chatId: number | string, fragment: string | RegExp) {
  return fake.waitForSent(
    (c) =>
      c.method === 'sendMessage' &&
      String(c.params.chat_id) === String(chatId) &&
      (typeof fragment === 'string' ? shownText(c).includes(fragment) : fragment.test(shownText(c))),
    10_000,
  );
}

/** The ticket number an acknowledgement names (Italian or English). */
export function ticketNumberIn(text: string): number {
  const match = /ticket (?:n\. |#)(\d+)/.exec(text);
  if (!match) throw new Error(`no ticket number in: ${text.slice(0, 200)}`);
  return Number(match[1]);
}

export interface TicketView {
  ticket: { number: number; status: string; conversationId: string | null };
  messages: Array<{
    direction: string;
    disposition: string | null;
    externalId: string | null;
    newText: string;
    attachments: Array<{
      filename: string;
      contentType: string;
      size: number;
      kept: boolean;
      omittedReason: string | null;
    }>;
    deliveries: Array<{ status: string; attempts: number }>;
  }>;
}

export async function getTicket(app: TestApp, number: number): Promise<TicketView> {
  const response = await app.api(`/tickets/${number}`);
  expect(response.status).toBe(200);
  return (await response.json()) as TicketView;
}

/** Inbound messages stored with this external id, on any ticket or none. */
export async function storedInbound(app: TestApp, externalId: string): Promise<number> {
  const { rows } = await app.database.sql.query<{ n: number }>(
    "select count(*)::int as n from messages where channel = 'telegram' and direction = 'inbound' and external_id = $1",
    [externalId],
  );
  return rows[0]!.n;
}

/** A logger that keeps its JSON lines in `lines`, for asserting what is logged and at which level. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}
