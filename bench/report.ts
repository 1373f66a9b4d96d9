import type { BacklogResult } from './backlog.js';
import type { CoreIngestResult } from './core-ingest.js';
import type { DeliveryResult } from './delivery.js';
import type { EmailResult } from './email.js';
import type { HostileResult } from './hostile.js';
import type { ChatStallResult } from './hostile-chat.js';
import type { ReportsResult } from './reports.js';
import { p95, type SlackResult } from './slack.js';
import type { StartupResult } from './startup.js';
import type { MachineInfo } from './stats.js';
import type { TicketsResult } from './tickets.js';
import type { WebResult } from './web.js';

export interface Figure {
  key: string;
  label: string;
  value: number;
  unit: string;
  /** `>= n` or `<= n`; absent for figures reported without a target. */
  target?: { op: '>=' | '<'; value: number };
  pass?: boolean;
  note?: string;
}

export interface BenchResults {
  core?: CoreIngestResult;
  email?: EmailResult[];
  /** Hostile mail shapes, and mails of 25 and 60 MB (see bench/hostile.ts). */
  hostile?: HostileResult[];
  big?: HostileResult[];
  /** Telegram updates and API bodies at the limits (see bench/hostile-chat.ts). */
  chat?: ChatStallResult[];
  delivery?: DeliveryResult[];
  backlog?: BacklogResult;
  startup?: StartupResult;
  slack?: SlackResult;
  web?: WebResult;
  tickets?: TicketsResult;
  reports?: ReportsResult;
}

function figure(
  key: string,
  label: string,
  value: number,
  unit: string,
  target?: Figure['target'],
  note?: string,
): Figure {
  const pass = target && (target.op === '>=' ? value >= target.value : value < target.value);
  return { key, label, value, unit, target, pass, note };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The figures with their targets (PRODUCT targets for 2-core machines; see bench/README.md). */
export function figures(results: BenchResults, store: MachineInfo['store']): Figure[] {
  const out: Figure[] = [];
  const { core, email, delivery, backlog, startup, slack, web, tickets, reports } = results;
  if (core) {
    const c = core.concurrency;
    // The headline is the faster of the two: maximum throughput, with the baseline at the same
    // concurrency (PGlite runs one statement at a time, so in-flight ingests only queue there).
    const concurrent = core.concurrent >= core.sequential;
    const headline = concurrent ? core.concurrent : core.sequential;
    const base = concurrent ? core.baselineConcurrent : core.baselineSequential;
    const at = concurrent ? `${c} in flight` : 'sequential';
    const coreTarget = store === 'server' ? 2000 : 1000;
    out.push(
      figure('core.headline', `Core ingest, max (${at})`, headline, 'msg/s', { op: '>=', value: coreTarget }),
      figure('core.sequential', 'Core ingest, sequential', core.sequential, 'msg/s'),
      figure('core.concurrent', `Core ingest, ${c} in flight`, core.concurrent, 'msg/s'),
      figure(
        'baseline.sequential',
        'Baseline (1 row + 1 job per tx), sequential',
        core.baselineSequential,
        'tx/s',
      ),
      figure('baseline.concurrent', `Baseline, ${c} in flight`, core.baselineConcurrent, 'tx/s'),
      figure('core.ratio', `Core / baseline (${at})`, (headline / base) * 100, '%', { op: '>=', value: 35 }),
      figure('latency.p50', `Latency p50 at ${core.offeredRate} msg/s offered`, core.p50Ms, 'ms'),
      figure('latency.p99', `Latency p99 at ${core.offeredRate} msg/s offered`, core.p99Ms, 'ms', {
        op: '<',
        value: 25,
      }),
      figure('memory.ingest', 'RSS at the end of the ingest run', core.rssMb, 'MB'),
    );
  }
  if (email?.length) {
    out.push(
      figure(
        'email.rate',
        `Email, ${email[0]!.mails} mails from IMAP to stored`,
        median(email.map((e) => e.mailsPerSecond)),
        'mail/s',
        {
          op: '>=',
          value: 300,
        },
      ),
      figure('memory.email', 'Peak RSS during the email run', median(email.map((e) => e.peakRssMb)), 'MB', {
        op: '<',
        value: 300,
      }),
    );
  }
  if (results.hostile?.length) {
    out.push(
      figure(
        'loop.hostile',
        'Longest event-loop delay, hostile mails arriving',
        median(results.hostile.map((h) => h.maxDelayMs)),
        'ms',
        { op: '<', value: 100 },
      ),
    );
  }
  if (results.chat?.length) {
    const chat = results.chat;
    out.push(
      figure(
        'loop.telegram',
        'Longest event-loop delay, Telegram updates at the limits arriving',
        median(chat.map((c) => c.telegramMaxDelayMs)),
        'ms',
        { op: '<', value: 100 },
      ),
      figure(
        'loop.api',
        'Longest event-loop delay, costly API bodies arriving',
        median(chat.map((c) => c.apiMaxDelayMs)),
        'ms',
        { op: '<', value: 100 },
      ),
    );
  }
  if (results.big?.length) {
    out.push(
      figure(
        'loop.big',
        'Longest event-loop delay, mails of 25 and 60 MB arriving',
        median(results.big.map((h) => h.maxDelayMs)),
        'ms',
      ),
      figure(
        'memory.big',
        'Peak RSS, mails of 25 and 60 MB arriving',
        median(results.big.map((h) => h.peakRssMb)),
        'MB',
        {
          op: '<',
          value: 300,
        },
      ),
    );
  }
  for (const d of delivery ?? []) {
    out.push(
      figure(
        `delivery.${d.channel}`,
        `Delivery, ${d.channel} (${d.deliveries} queued)`,
        d.perSecond,
        'msg/s',
        undefined,
        d.note,
      ),
    );
  }
  if (backlog) {
    out.push(
      figure(
        'delivery.backlog',
        `Backlog drain after an outage (${backlog.deliveries} to ${backlog.recipients} recipients)`,
        backlog.perSecond,
        'msg/s',
      ),
    );
  }
  if (startup) {
    out.push(
      figure('startup.fresh', 'Start-up to healthy /healthz, fresh data', startup.freshSeconds, 's'),
      figure(
        'startup.existing',
        'Start-up to healthy /healthz, existing data',
        startup.existingSeconds,
        's',
        {
          op: '<',
          value: 3,
        },
      ),
      figure('memory.idle', 'Idle RSS, every channel on', startup.idleRssMb, 'MB', { op: '<', value: 150 }),
    );
  }
  if (slack) {
    out.push(
      figure('slack.reply', 'Slack thread reply → Telegram Bot API, p95', p95(slack.replyToTelegram), 'ms', {
        op: '<',
        value: 1000,
      }),
      figure('slack.thread', 'Customer message → its Slack thread, p95', p95(slack.customerToThread), 'ms', {
        op: '<',
        value: 1000,
      }),
    );
  }
  if (web) {
    out.push(
      figure('web.portal', 'Portal page with 200 tickets, p95', p95(web.portalPage), 'ms', {
        op: '<',
        value: 50,
      }),
      figure(
        'web.register',
        'Registration → set-password mail at SMTP, p95',
        p95(web.registrationToMail),
        'ms',
        {
          op: '<',
          value: 1000,
        },
      ),
    );
  }
  if (tickets) {
    const size = `${tickets.tickets / 1000}k tickets, ${tickets.messages / 1000}k messages`;
    out.push(
      figure('tickets.list', `Staff ticket list page (${size}), p95`, p95(tickets.listPage), 'ms', {
        op: '<',
        value: 100,
      }),
      figure('tickets.search', `Full-text search page (${size}), p95`, p95(tickets.searchPage), 'ms', {
        op: '<',
        value: 200,
      }),
    );
  }
  if (reports) {
    const size = `${Math.round(reports.tickets / 1000)}k tickets, ${Math.round(reports.messages / 1000)}k messages`;
    out.push(
      figure('reports.page', `Staff reports page (${size}), p95`, p95(reports.pages), 'ms', {
        op: '<',
        value: 500,
      }),
      figure('reports.median', `Staff reports page (${size}), median`, median(reports.pages), 'ms'),
      figure('reports.csv', 'Revenue CSV of the same period, p95', p95(reports.revenueCsv), 'ms'),
    );
  }
  return out;
}

const format = (value: number) =>
  Number.isNaN(value)
    ? '—'
    : value >= 100
      ? value.toFixed(0)
      : value >= 10
        ? value.toFixed(1)
        : value.toFixed(2);

/** A plain-text table: figure, value, target, pass/FAIL. */
export function table(rows: Figure[]): string {
  const lines = rows.map((f) => [
    f.label,
    `${format(f.value)} ${f.unit}`,
    f.target ? `${f.target.op} ${f.target.value} ${f.unit}` : '',
    f.pass === undefined ? (f.note ?? '') : f.pass ? 'pass' : 'FAIL',
  ]);
  const header = ['Figure', 'Value', 'Target', 'Result'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [row(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(row)].join('\n');
}
