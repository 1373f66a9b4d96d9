import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { SmtpSender } from '../../../src/channels/email/smtp-sender.js';
import { SLACK_EVENTS_PATH } from '../../../src/channels/slack/http-receiver.js';
import { SlackAdapter } from '../../../src/channels/slack/slack-adapter.js';
import type { SlackSettings } from '../../../src/config.js';
import type {
  ChannelAdapter,
  ChannelContext,
  InboundAttachment,
  OutboundMessage,
} from '../../../src/core/channel.js';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { FakeSlack, signedPost } from '../../helpers/fake-slack/fake-slack.js';
import { eventCallback } from '../../helpers/fake-slack/slack-events.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createPersistentTestStore, type TestStore } from '../../helpers/test-database.js';

export const TECH = 'UTECH001';
export const OUTSIDER = 'UOUT0001';
export const CHANNEL = 'CTECH0001';

/** A clock the test moves: real time plus an offset. */
export class TestClock {
  offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  seconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

/** The email channel's SMTP half only (inbound mail is ingested directly by the tests). */
export class SmtpOnlyEmail implements ChannelAdapter {
  readonly name = 'email' as const;
  private readonly sender: SmtpSender;
  /** `maxMailBytes`: the largest mail sent (MAX_MAIL_MB), to reach the limit with small files. */
  constructor(smtp: SmtpCapture, maxMailBytes?: number) {
    this.sender = new SmtpSender({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      from: 'assistenza@example.test',
      fromName: 'Assistenza',
      maxMailBytes,
    });
  }
  async start(_context: ChannelContext): Promise<void> {}
  async stop(): Promise<void> {
    this.sender.close();
  }
  send(message: OutboundMessage) {
    return this.sender.send(message);
  }
  get attachmentLimits() {
    return this.sender.attachmentLimits;
  }
}

export interface SlackTestApp {
  app: TestApp;
  adapter: SlackAdapter;
  clock: TestClock;
  /** POSTs a signed JSON body to `/slack/events` (HTTP mode). */
  post(body: unknown, options?: { retryNum?: number; form?: boolean; timestamp?: number }): Promise<Response>;
  /** Sends an event: over HTTP (signed) or Socket Mode, whichever the app uses. */
  sendEvent(event: Record<string, unknown>, options?: { eventId?: string; retryNum?: number }): Promise<void>;
}

/**
 * A fake Slack (with TECH known as Giulia) and the app in HTTP mode, mail to customers captured by
 * one SMTP server per file. By default the fake and app are fresh for each test (the capture
 * cleared); `perFile` starts them once for the whole file. Read `fake`, `smtp` and `s` inside tests.
 */
export function useSlackWithMail(options: { perFile?: boolean } = {}): {
  readonly fake: FakeSlack;
  readonly smtp: SmtpCapture;
  readonly s: SlackTestApp;
} {
  const suite = {} as { fake: FakeSlack; smtp: SmtpCapture; s: SlackTestApp };
  const startSlack = async () => {
    suite.fake = new FakeSlack();
    await suite.fake.start();
    suite.fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    suite.smtp.clear();
    suite.s = await startSlackApp(suite.fake, {
      mode: 'http',
      others: () => [new SmtpOnlyEmail(suite.smtp)],
    });
  };
  const stopSlack = async () => {
    await suite.s?.app.close();
    await suite.fake?.stop();
  };
  beforeAll(async () => {
    suite.smtp = await startSmtpCapture();
    if (options.perFile) await startSlack();
  });
  afterAll(async () => {
    if (options.perFile) await stopSlack();
    await suite.smtp?.stop();
  });
  if (!options.perFile) {
    beforeEach(startSlack);
    afterEach(stopSlack);
  }
  return suite;
}

export async function startSlackApp(
  fake: FakeSlack,
  options: {
    mode: 'http' | 'socket';
    store?: TestStore;
    clock?: TestClock;
    settings?: Partial<SlackSettings>;
    paceMs?: number;
    others?: (core: CoreContext) => ChannelAdapter[];
  },
): Promise<SlackTestApp> {
  const clock = options.clock ?? new TestClock();
  let adapter!: SlackAdapter;
  const settings: SlackSettings = {
    botToken: fake.botToken,
    appToken: options.mode === 'socket' ? fake.appToken : undefined,
    signingSecret: fake.signingSecret,
    apiUrl: fake.apiUrl,
    channelId: CHANNEL,
    technicians: [TECH],
    notePrefix: 'nota:',
    replyMode: 'relay',
    relayDelayMs: 0,
    command: '/helpdesk',
    ...options.settings,
  };
  const app = await startTestApp({
    store: options.store,
    now: clock.now,
    env: { AUTO_REPLY_LIMIT_PER_HOUR: '100', WORKER_POLL_MS: '100' },
    adapters: (_context, core) => {
      const others = options.others?.(core) ?? [];
      adapter = new SlackAdapter({
        settings,
        core,
        logger: createLogger('silent'),
        timeZone: 'Europe/Rome',
        maxFileBytes: 1024 * 1024,
        pollMs: 50,
        paceMs: options.paceMs ?? 0,
        attachmentLimitsOf: (channel) => others.find((a) => a.name === channel)?.attachmentLimits,
      });
      return [adapter, ...others];
    },
  });
  const post: SlackTestApp['post'] = (body, postOptions = {}) => {
    const form = postOptions.form;
    const text = form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
    return signedPost(`${app.url}${SLACK_EVENTS_PATH}`, text, {
      secret: fake.signingSecret,
      timestamp: postOptions.timestamp ?? clock.seconds(),
      contentType: form ? 'application/x-www-form-urlencoded' : 'application/json',
      retryNum: postOptions.retryNum,
    });
  };
  return {
    app,
    adapter,
    clock,
    post,
    async sendEvent(event, sendOptions = {}) {
      const body = eventCallback(event, sendOptions.eventId);
      if (options.mode === 'socket') {
        await fake.sendEnvelope('events_api', body, { retryAttempt: sendOptions.retryNum });
        return;
      }
      const response = await post(body, { retryNum: sendOptions.retryNum });
      if (response.status !== 200) throw new Error(`event answered ${response.status}`);
    },
  };
}

/** A store that survives an app restart: a temp data dir (embedded) or a server database. */
export function persistentStore(): Promise<TestStore> {
  return createPersistentTestStore('helpdesk-slack-');
}

let sequence = 0;

/** An active customer with an email address (and a Telegram user when given); returns its address. */
export async function emailCustomer(app: TestApp, extra: { telegram?: string; name?: string } = {}) {
  sequence += 1;
  const address = `cliente${sequence}-${Date.now()}@example.test`;
  const identities = [{ kind: 'email' as const, address }];
  if (extra.telegram) identities.push({ kind: 'telegram' as never, address: extra.telegram });
  const customer = await createCustomer(
    app.core,
    { name: extra.name ?? `Rossi Srl ${sequence}`, locale: 'it', status: 'active', identities },
    'test',
  );
  return { address, customer };
}

/** A customer's email, ingested as the email channel would (opens or continues a ticket). */
export async function ingestMail(
  app: TestApp,
  input: {
    from: string;
    subject: string;
    text: string;
    attachments?: InboundAttachment[];
    ticketNumber?: number;
  },
) {
  sequence += 1;
  return app.channelContext.ingest({
    channel: 'email',
    externalId: `<m${sequence}.${Date.now()}@example.test>`,
    sender: { kind: 'email', address: input.from, displayName: 'Mario Rossi' },
    subject: input.ticketNumber ? `Re: [#${input.ticketNumber}] ${input.subject}` : input.subject,
    newText: input.text,
    fullText: input.text,
    attachments: input.attachments ?? [],
    thread: input.ticketNumber ? { ticketNumber: input.ticketNumber } : {},
    receivedAt: new Date(),
    raw: { contentType: 'message/rfc822', data: `Subject: ${input.subject}\r\n\r\n${input.text}` },
  });
}
