import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type DovecotServer, startDovecot } from '../test/helpers/dovecot.js';
import { ensureDovecotInstalled } from '../test/helpers/dovecot-process.js';
import { FakeSlack } from '../test/helpers/fake-slack/fake-slack.js';
import type { FakeTelegramApi } from '../test/helpers/fake-telegram-api.js';
import { type SmtpCapture, startSmtpCapture } from '../test/helpers/smtp-capture.js';
import type { BacklogResult } from './backlog.js';
import { CORE_DEFAULTS, type CoreIngestResult } from './core-ingest.js';
import { type DeliveryResult, loadTelegramAdapter } from './delivery.js';
import { BACKLOG_USER, buildBacklog, type EmailResult, HELPDESK, IDLE_USER } from './email.js';
import { BIG_USER, bigBacklog, HOSTILE_USER, type HostileResult, hostileBacklog } from './hostile.js';
import { type ChatStallResult, hostileUpdates } from './hostile-chat.js';
import { type BenchResults, figures, table } from './report.js';
import type { ReportsResult } from './reports.js';
import type { SlackResult } from './slack.js';
import { buildBenchEntry, startEnvironment, startNodeOptions } from './start-command.js';
import { benchStartup, killAllMains } from './startup.js';
import { machineInfo, now } from './stats.js';
import type { TicketsResult } from './tickets.js';
import type { WebResult } from './web.js';

/**
 * `npm run bench`: every figure of bench/README.md on the embedded store, or on the PostgreSQL
 * server in DATABASE_URL (a fresh database per run, dropped after). Prints a table and writes
 * bench/results/latest.json (and latest-<store>.json).
 *
 * BENCH_RUNS (default 3) runs per figure; BENCH_ONLY=core,email,hostile,delivery,backlog,startup,slack,web,tickets,reports
 * picks sections; BENCH_EMAIL_MAILS (2000), BENCH_DELIVERIES (500 per channel) and BENCH_BACKLOG
 * (10000 messages to 1,000 recipients) and BENCH_TICKETS (100000 tickets, 5 messages each, for the
 * ticket list and the reports page) size the runs; BENCH_REPORT_PAGES (20) reports pages are timed.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECTIONS = [
  'core',
  'email',
  'hostile',
  'delivery',
  'backlog',
  'startup',
  'slack',
  'web',
  'tickets',
  'reports',
];
const ONLY = new Set((process.env.BENCH_ONLY ?? SECTIONS.join(',')).split(','));
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 10_000);
const EMAIL_MAILS = Number(process.env.BENCH_EMAIL_MAILS ?? 2000);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 500);
const SLACK_SAMPLES = Number(process.env.BENCH_SLACK_SAMPLES ?? 40);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const REPORT_PAGES = Number(process.env.BENCH_REPORT_PAGES ?? 20);
const RESULTS = fileURLToPath(new URL('results/', import.meta.url));
const CHILD = fileURLToPath(new URL('child.ts', import.meta.url));
const BIOME = fileURLToPath(new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url));

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<unknown>> = [];

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

/** Runs one section in a fresh process (see child.ts) and returns its result. */
let compiledChild: Promise<string> | undefined;

function section<T>(name: string, options: Record<string, unknown>, timeoutMs = 900_000): Promise<T> {
  compiledChild ??= buildBenchEntry(CHILD);
  return compiledChild.then((childJs) => runSection<T>(childJs, name, options, timeoutMs));
}

/** Each section runs compiled, with `npm start`'s node options, as the product runs. */
function runSection<T>(
  childJs: string,
  name: string,
  options: Record<string, unknown>,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(childJs, [name], {
      // BENCH_CPU_PROF=dir writes a V8 CPU profile of each section into dir (for profiling).
      execArgv: [
        ...startNodeOptions(),
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        // BENCH_NODE_ARGS="--trace-gc …": more node options for each section's process (diagnosis).
        ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
      env: { ...process.env, ...startEnvironment(), BENCH_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    let reply: { ok: boolean; result?: T; error?: string } | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (message) => (reply = message as typeof reply));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (reply?.ok) resolve(reply.result as T);
      else reject(new Error(`section ${name} failed (${signal ?? code}): ${reply?.error ?? 'no result'}`));
    });
  });
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]!.server_version;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const started = now();
  const store = process.env.DATABASE_URL ? 'server' : 'embedded';
  const machine = machineInfo(store);
  if (process.env.DATABASE_URL) machine.postgres = await postgresVersion(process.env.DATABASE_URL);
  log(`${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, store: ${store}, ${RUNS} runs`);
  const results: BenchResults = {};
  const notes: string[] = [];

  if (store === 'embedded' && process.env.BENCH_DATA_DIR !== 'memory') {
    const template = mkdtempSync(path.join(os.tmpdir(), 'helpdesk-bench-template-'));
    cleanups.push(async () => rmSync(template, { recursive: true, force: true }));
    await section('template', { dataDir: template });
    process.env.BENCH_TEMPLATE_DIR = template;
  }

  let dovecot: DovecotServer | undefined;
  if (ONLY.has('email') || ONLY.has('hostile') || ONLY.has('delivery') || ONLY.has('startup')) {
    await ensureDovecotInstalled();
    const server = await startDovecot({ users: [BACKLOG_USER, IDLE_USER, HOSTILE_USER, BIG_USER] });
    dovecot = server;
    cleanups.push(() => server.stop());
  }

  if (ONLY.has('core')) {
    log(`core ingest: ${CORE_DEFAULTS.customers} customers, ${RUNS} rounds`);
    results.core = await section<CoreIngestResult>('core', { runs: RUNS });
  }

  if (ONLY.has('email') && dovecot) {
    const t = now();
    await dovecot.appendMessages(BACKLOG_USER.user, BACKLOG_USER.password, buildBacklog(EMAIL_MAILS));
    log(`email: ${EMAIL_MAILS} mails appended to Dovecot in ${((now() - t) / 1000).toFixed(1)} s`);
    results.email = [];
    for (let run = 0; run < RUNS; run++) {
      const result = await section<EmailResult>('email', {
        imapPort: dovecot.port,
        smtpPort: 1,
        mails: EMAIL_MAILS,
      });
      log(
        `email run ${run + 1}: ${result.mailsPerSecond.toFixed(1)} mail/s, peak RSS ${result.peakRssMb.toFixed(0)} MB`,
      );
      results.email.push(result);
    }
  }

  if (ONLY.has('hostile') && dovecot) {
    const hostile = hostileBacklog();
    const big = bigBacklog();
    await dovecot.appendMessages(HOSTILE_USER.user, HOSTILE_USER.password, hostile);
    await dovecot.appendMessages(BIG_USER.user, BIG_USER.password, big);
    log(`hostile mail: ${hostile.length} hostile shapes, and mails of 25 and 60 MB; ${RUNS} runs`);
    results.hostile = [];
    results.big = [];
    for (let run = 0; run < RUNS; run++) {
      // BENCH_HOSTILE=big: the big mails only (memory work); =shapes: the hostile shapes only.
      const skip = (part: string) =>
        process.env.BENCH_HOSTILE !== undefined && process.env.BENCH_HOSTILE !== part;
      const none: HostileResult = { mails: 0, stored: 0, failed: 0, seconds: 0, maxDelayMs: 0, peakRssMb: 0 };
      const shapes = skip('shapes')
        ? none
        : await section<HostileResult>('hostile', {
            imapPort: dovecot.port,
            user: 'hostile',
            mails: hostile.length,
          });
      const large = skip('big')
        ? none
        : await section<HostileResult>('hostile', { imapPort: dovecot.port, user: 'big', mails: big.length });
      log(
        `hostile run ${run + 1}: longest event-loop delay ${shapes.maxDelayMs.toFixed(0)} ms (${shapes.failed} kept raw); ` +
          `big mails: ${large.maxDelayMs.toFixed(0)} ms, peak RSS ${large.peakRssMb.toFixed(0)} MB`,
      );
      if (!skip('shapes')) results.hostile.push(shapes);
      if (!skip('big')) results.big.push(large);
    }
  }

  // Telegram updates at the limits (from a fake Bot API here) and costly API bodies: docs/hostile-mail.md
  if (ONLY.has('hostile') && process.env.BENCH_HOSTILE !== 'big' && process.env.BENCH_HOSTILE !== 'shapes') {
    const telegram = await loadTelegramAdapter();
    if ('FakeTelegramApi' in telegram) {
      results.chat = [];
      for (let run = 0; run < RUNS; run++) {
        const api = await telegram.FakeTelegramApi.start();
        try {
          const updates = hostileUpdates(api);
          for (const update of updates) api.queueUpdate(update);
          const result = await section<ChatStallResult>('chat', {
            telegram: { token: api.token, apiRoot: api.apiRoot },
            updates: updates.length,
          });
          log(
            `chat run ${run + 1}: longest event-loop delay ${result.telegramMaxDelayMs.toFixed(0)} ms (${result.updates} Telegram updates), ` +
              `${result.apiMaxDelayMs.toFixed(0)} ms (${result.requests} API bodies)`,
          );
          results.chat.push(result);
        } finally {
          await api.close();
        }
      }
    }
  }

  // The peers the app sends to run here, outside the measured processes, as real servers would.
  let smtp: SmtpCapture | undefined;
  let fake: FakeTelegramApi | undefined;
  let telegramMissing: string | undefined;
  if (ONLY.has('delivery') || ONLY.has('startup')) {
    const capture = await startSmtpCapture();
    smtp = capture;
    cleanups.push(() => capture.stop());
    const telegram = await loadTelegramAdapter();
    if ('FakeTelegramApi' in telegram) {
      const api = await telegram.FakeTelegramApi.start();
      fake = api;
      cleanups.push(() => api.close());
    } else {
      telegramMissing = telegram.missing;
      notes.push(`Telegram skipped (no adapter): ${telegram.missing}`);
    }
  }

  if (ONLY.has('delivery') && dovecot && smtp) {
    log(`delivery: ${DELIVERIES} per channel, ${RUNS} runs`);
    results.delivery = await section<DeliveryResult[]>('delivery', {
      count: DELIVERIES,
      runs: RUNS,
      batchSize: 500,
      imapPort: dovecot.port,
      smtpPort: smtp.port,
      telegram: fake && { token: fake.token, apiRoot: fake.apiRoot },
      telegramMissing,
    });
    smtp.clear();
  }

  if (ONLY.has('backlog')) {
    log(`backlog: ${BACKLOG} messages queued during an outage, ${RUNS} runs`);
    results.backlog = await section<BacklogResult>('backlog', {
      count: BACKLOG,
      recipients: Math.max(1, Math.round(BACKLOG / 10)),
      runs: RUNS,
      batchSize: 500,
    });
  }
  if (ONLY.has('slack')) {
    log(`slack: ${SLACK_SAMPLES} replies and ${SLACK_SAMPLES} customer messages`);
    results.slack = await section<SlackResult>('slack', { samples: SLACK_SAMPLES, gapMs: 1100 });
  }
  if (ONLY.has('web')) {
    log('web: 10 registrations to the set-password mail, 100 loads of a portal page with 200 tickets');
    results.web = await section<WebResult>('web', { registrations: 10, pageLoads: 100 });
  }

  if (ONLY.has('tickets')) {
    log(`tickets: ${TICKETS} tickets and ${TICKETS * 5} messages, staff list and full-text search`);
    results.tickets = await section<TicketsResult>(
      'tickets',
      { tickets: TICKETS, perTicket: 5, samples: 60 },
      1_800_000,
    );
    const r = results.tickets;
    log(`tickets: seeded in ${r.seedSeconds.toFixed(0)} s; the search word is in ${r.searchMatches} tickets`);
  }

  if (ONLY.has('reports')) {
    log(
      `reports: ${TICKETS} tickets and ${TICKETS * 5} messages, the staff reports page ${REPORT_PAGES} times`,
    );
    results.reports = await section<ReportsResult>(
      'reports',
      { customers: 500, tickets: TICKETS, messagesPerTicket: 5, runs: REPORT_PAGES },
      1_800_000,
    );
    const r = results.reports;
    log(
      r.seedMs > 0
        ? `reports: seeded in ${(r.seedMs / 1000).toFixed(0)} s (kept for the next runs)`
        : 'reports: seeded data copied from an earlier run',
    );
  }

  if (ONLY.has('startup') && dovecot && smtp) {
    // Slack on too (Socket Mode against a local fake), for the idle memory with every channel on.
    const slack = new FakeSlack();
    await slack.start();
    cleanups.push(() => slack.stop());
    const channelEnv: Record<string, string> = {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL_ID: 'CBENCH001',
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(dovecot.port),
      IMAP_SECURE: 'false',
      IMAP_USER: IDLE_USER.user,
      IMAP_PASSWORD: IDLE_USER.password,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      MAIL_FROM: HELPDESK,
      ...(fake && { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot }),
    };
    log(`start-up and idle memory: ${RUNS} runs`);
    results.startup = await benchStartup({ runs: RUNS, channelEnv });
  }

  const rows = figures(results, store);
  const seconds = (now() - started) / 1000;
  console.log(
    `\nHelpdesk bench — ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, store: ${store}`,
  );
  console.log(table(rows));
  for (const note of notes) console.log(`Note: ${note}`);
  console.log(`Total ${seconds.toFixed(0)} s; medians of ${RUNS} runs. Details: bench/results/latest.json`);
  mkdirSync(RESULTS, { recursive: true });
  const json = JSON.stringify(
    { date: new Date().toISOString(), machine, runs: RUNS, seconds, figures: rows, notes, results },
    (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
    2,
  );
  // A partial run (BENCH_ONLY) does not replace the last full run of its store.
  const full = SECTIONS.every((name) => ONLY.has(name));
  const files = [`${RESULTS}latest.json`, ...(full ? [`${RESULTS}latest-${store}.json`] : [])];
  for (const file of files) writeFileSync(file, json);
  // In Biome's layout, so `npm run lint` stays clean with results on disk (biome.json covers bench/).
  spawnSync(process.execPath, [BIOME, 'format', '--write', ...files], { stdio: 'ignore' });
}

async function cleanup(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  killAllMains();
  for (const step of cleanups.reverse().splice(0)) await step().catch(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(cleanup)
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(error);
    await cleanup();
    process.exit(1);
  });
