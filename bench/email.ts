import { EmailAdapter } from '../src/channels/email/email-adapter.js';
import type { EmailSettings } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { fixtureNames, rawMail, readFixture } from '../test/channels/email/mail-fixtures.js';
import { createCustomers, openBenchStore, seededRandom, startBenchApp } from './bench-app.js';
import { MB, now, RssSampler, sleep } from './stats.js';

export const HELPDESK = 'helpdesk@example.test';
export const BACKLOG_USER = { user: 'backlog@example.test', password: 'secret' };
export const IDLE_USER = { user: HELPDESK, password: 'secret' };
export const EMAIL_CUSTOMERS = 200;
const MAX_SAMPLE_BYTES = 64 * 1024;

export const customerAddress = (i: number): string => `cliente${i}@cliente.example`;

/** Sets (replaces or adds) header fields in the header block of a raw mail. */
function withHeaders(raw: string, fields: Record<string, string | undefined>): string {
  const split = raw.search(/\r?\n\r?\n/);
  let head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split);
  for (const [name, value] of Object.entries(fields)) {
    // The field and its folded continuation lines.
    const pattern = new RegExp(`^${name}:.*(\\r?\\n[ \\t].*)*`, 'im');
    if (value === undefined) head = head.replace(pattern, `X-Removed-${name}: 1`);
    else if (pattern.test(head)) head = head.replace(pattern, () => `${name}: ${value}`);
    else head = `${name}: ${value}\r\n${head}`;
  }
  return head + body;
}

const BODIES = [
  'Buongiorno, il PC della reception non si accende più da stamattina. Potete passare?',
  'Salve, la stampante in ufficio stampa pagine bianche. Abbiamo già cambiato il toner.',
  'Ciao, non riesco più ad accedere alla posta dal telefono, mi chiede sempre la password.',
  'Buonasera, il NAS fa un rumore strano e il backup di ieri notte non è partito.',
  'Gentili, vorremmo un preventivo per due portatili nuovi per i commerciali. Grazie.',
];

/**
 * The mail backlog: 45% customer mails from known customers, 25% replies (the `replies/` samples
 * with From rewritten, In-Reply-To pointing at an earlier mail of the same customer), 10% bounces
 * (the `bounces/` samples), 10% unknown senders, 10% MIME samples (up to 64 KB) from known
 * customers. Every mail gets its own Message-ID.
 */
export function buildBacklog(count: number, seed = 42): Buffer[] {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const talon = fixtureNames('replies').map((name) => readFixture('replies', name).toString('latin1'));
  const erp = fixtureNames('replies', '.txt').map((name) => readFixture('replies', name).toString('utf8'));
  const bounces = fixtureNames('bounces').map((name) => readFixture('bounces', name).toString('latin1'));
  const mime = fixtureNames('mime')
    .map((name) => readFixture('mime', name))
    .filter((raw) => raw.length <= MAX_SAMPLE_BYTES)
    .map((raw) => raw.toString('latin1'));
  const sentBy = new Map<number, string[]>();
  const mails: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const messageId = `<bench-${seed}-${i}@mail.example>`;
    const c = Math.floor(random() * EMAIL_CUSTOMERS);
    const from = `Cliente ${c} <${customerAddress(c)}>`;
    const r = random();
    const earlier = sentBy.get(c);
    if (r < 0.25 && earlier?.length) {
      const parent = pick(earlier);
      const headers = { From: from, To: HELPDESK, 'Message-ID': messageId, 'In-Reply-To': parent };
      const raw =
        random() < 0.5
          ? withHeaders(pick(talon), { ...headers, Subject: 'Re: Richiesta di assistenza' })
          : rawMail(
              [
                ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
                'Subject: Re: Richiesta di assistenza',
                'MIME-Version: 1.0',
                'Content-Type: text/plain; charset=utf-8',
              ],
              pick(erp),
            ).toString('utf8');
      mails.push(Buffer.from(raw, 'latin1'));
      continue;
    }
    if (r < 0.35) {
      mails.push(
        Buffer.from(withHeaders(pick(bounces), { 'Message-ID': messageId, To: HELPDESK }), 'latin1'),
      );
      continue;
    }
    if (r < 0.45) {
      const stranger = `Sconosciuto <sconosciuto${i}@altro.example>`;
      mails.push(customerMail(stranger, messageId, pick(BODIES)));
      continue;
    }
    if (r < 0.55) {
      mails.push(
        Buffer.from(withHeaders(pick(mime), { From: from, To: HELPDESK, 'Message-ID': messageId }), 'latin1'),
      );
    } else {
      mails.push(customerMail(from, messageId, pick(BODIES)));
    }
    sentBy.set(c, [...(earlier ?? []), messageId]);
  }
  return mails;
}

function customerMail(from: string, messageId: string, body: string): Buffer {
  return rawMail(
    [
      `From: ${from}`,
      `To: ${HELPDESK}`,
      'Subject: Richiesta di assistenza',
      `Message-ID: ${messageId}`,
      'Date: Mon, 10 Mar 2025 10:00:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
    ],
    body,
  );
}

export function emailSettings(imapPort: number, user: { user: string; password: string }, smtpPort: number) {
  return {
    imap: { host: '127.0.0.1', port: imapPort, secure: false, ...user, mailbox: 'INBOX' },
    smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
    from: HELPDESK,
    fromName: 'Assistenza Bench',
    maxAttachmentBytes: 10 * MB,
    maxMailBytes: 25 * MB,
    // The backlog is the measurement: import all of it, as a mailbox connected with history would
    // with IMAP_IMPORT_SINCE set before its first mail.
    importSince: new Date(0),
    maxRawInputBytes: 10 * MB,
    parseTimeoutMs: 20_000,
  } satisfies EmailSettings;
}

export interface EmailResult {
  mails: number;
  seconds: number;
  mailsPerSecond: number;
  peakRssMb: number;
  failed: number;
}

/**
 * Starts the app (delivery workers off) with the email channel on the Dovecot backlog and times
 * from the adapter's start until every mail is stored (or kept as a failed input).
 */
export async function benchEmail(options: {
  imapPort: number;
  smtpPort: number;
  mails: number;
}): Promise<EmailResult> {
  const rss = new RssSampler(50);
  const store = await openBenchStore();
  let adapterStarted = 0;
  const app = await startBenchApp(store, {
    workers: false,
    adapters: (_context, core) => {
      const adapter = new EmailAdapter(
        emailSettings(options.imapPort, BACKLOG_USER, options.smtpPort),
        createLogger('silent'),
      );
      // The customers exist before the adapter starts; the clock starts with the adapter.
      const start = adapter.start.bind(adapter);
      adapter.start = async (context) => {
        await createCustomers(core, EMAIL_CUSTOMERS, 'email', customerAddress);
        adapterStarted = now();
        return start(context);
      };
      return [adapter];
    },
  });
  try {
    const stored = async () => {
      const { rows } = await app.database.sql.query<{ n: number; failed: number }>(
        `select (select count(*)::int from messages where direction = 'inbound') as n,
                (select count(*)::int from raw_inputs where error is not null) as failed`,
      );
      return rows[0]!;
    };
    const deadline = Date.now() + 600_000;
    for (;;) {
      const { n, failed } = await stored();
      if (n + failed >= options.mails) {
        const seconds = (now() - adapterStarted) / 1000;
        return {
          mails: n,
          failed,
          seconds,
          mailsPerSecond: options.mails / seconds,
          peakRssMb: rss.stop() / MB,
        };
      }
      if (Date.now() > deadline) throw new Error(`only ${n + failed} of ${options.mails} mails stored`);
      await sleep(100);
    }
  } finally {
    rss.stop();
    await app.stop();
    await store.drop();
  }
}
