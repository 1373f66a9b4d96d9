import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmailAdapter } from '../src/channels/email/email-adapter.js';
import { createLogger } from '../src/logger.js';
import { bigBase64Mail, hostileMails } from '../test/helpers/hostile-mail.js';
import { openBenchStore, startBenchApp } from './bench-app.js';
import { emailSettings } from './email.js';
import { MB, now, RssSampler, sleep } from './stats.js';

/** Mailboxes of the hostile-mail section: the hostile shapes, and big mails. */
export const HOSTILE_USER = { user: 'hostile@example.test', password: 'secret' };
export const BIG_USER = { user: 'big@example.test', password: 'secret' };

/** Budget of one mail's parse in this section (the product default is 20 s; shorter runs). */
const PARSE_TIMEOUT_MS = 5000;

/** The hostile shapes of the tests, and one of each at its full size. */
export function hostileBacklog(): Buffer[] {
  return hostileMails().map((mail) => mail.raw);
}

/** A mail just under MAX_MAIL_MB (25 MB: two 9 MB attachments, ~24.6 MB of base64), and one of 60 MB. */
export function bigBacklog(): Buffer[] {
  return [bigBase64Mail('big-25', 18 * MB), bigBase64Mail('big-60', 44 * MB)];
}

export interface HostileResult {
  mails: number;
  stored: number;
  failed: number;
  seconds: number;
  maxDelayMs: number;
  peakRssMb: number;
}

/**
 * Starts the app with the email channel on one mailbox and measures, until every mail is stored
 * or kept raw, the longest event-loop delay (`monitorEventLoopDelay`, 10 ms resolution) and the
 * peak RSS of the process (the parse worker's memory included: it is a thread of this process).
 */
export async function benchHostile(options: {
  imapPort: number;
  user: 'hostile' | 'big';
  mails: number;
}): Promise<HostileResult> {
  const store = await openBenchStore();
  const user = options.user === 'hostile' ? HOSTILE_USER : BIG_USER;
  const app = await startBenchApp(store, {
    workers: false,
    adapters: () => [
      new EmailAdapter(
        {
          ...emailSettings(options.imapPort, user, 1),
          parseTimeoutMs: PARSE_TIMEOUT_MS,
          ...(process.env.BENCH_RAW_MB ? { maxRawInputBytes: Number(process.env.BENCH_RAW_MB) * MB } : {}),
        },
        createLogger('silent'),
      ),
    ],
  });
  const started = now();
  const rss = new RssSampler(20);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const { rows } = await app.database.sql.query<{ stored: number; failed: number }>(
        `select (select count(*)::int from messages where direction = 'inbound') as stored,
                (select count(*)::int from raw_inputs where error is not null) as failed`,
      );
      const { stored, failed } = rows[0]!;
      if (stored + failed >= options.mails) {
        await sleep(50);
        const peakRssMb = rss.stop() / MB;
        rss.printTrace(`${options.user} mails`);
        return {
          mails: options.mails,
          stored,
          failed,
          seconds: (now() - started) / 1000,
          maxDelayMs: delay.max / 1e6,
          peakRssMb,
        };
      }
      if (Date.now() > deadline) throw new Error(`only ${stored + failed} of ${options.mails} mails stored`);
      await sleep(100);
    }
  } finally {
    delay.disable();
    rss.stop();
    await app.stop();
    await store.drop();
  }
}
