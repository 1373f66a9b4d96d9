import { appendFileSync } from 'node:fs';
import { benchBacklog } from './backlog.js';
import { makeTemplate } from './bench-app.js';
import { benchCoreIngest, CORE_DEFAULTS } from './core-ingest.js';
import { benchDelivery } from './delivery.js';
import { benchEmail } from './email.js';
import { benchHostile } from './hostile.js';
import { benchChatStalls } from './hostile-chat.js';
import { benchReports } from './reports.js';
import { benchSlack } from './slack.js';
import { installStatementTimings, statementReport } from './statement-timings.js';
import { benchTickets } from './tickets.js';
import { benchWeb } from './web.js';

/**
 * One bench section in its own process (forked by run.ts), so each figure, memory above all, is
 * measured without what earlier sections left in the heap. Options come as JSON in BENCH_OPTIONS;
 * the result goes back over the IPC channel.
 */
const sections: Record<string, (options: Record<string, unknown>) => Promise<unknown>> = {
  core: (options) => benchCoreIngest({ ...CORE_DEFAULTS, ...options }),
  email: (options) => benchEmail(options as Parameters<typeof benchEmail>[0]),
  delivery: (options) => benchDelivery(options as Parameters<typeof benchDelivery>[0]),
  hostile: (options) => benchHostile(options as Parameters<typeof benchHostile>[0]),
  chat: (options) => benchChatStalls(options as Parameters<typeof benchChatStalls>[0]),
  backlog: (options) => benchBacklog(options as Parameters<typeof benchBacklog>[0]),
  template: (options) => makeTemplate(String(options.dataDir)),
  slack: (options) => benchSlack(options as Parameters<typeof benchSlack>[0]),
  web: (options) => benchWeb(options as Parameters<typeof benchWeb>[0]),
  tickets: (options) => benchTickets(options as Parameters<typeof benchTickets>[0]),
  reports: (options) => benchReports(options as Parameters<typeof benchReports>[0]),
};

const reply = (message: unknown): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(message, null, 2));
      resolve();
      return;
    }
    process.send(message, () => resolve());
  });

/** Statement times are reported per this many units (say, per mail of a 2,000-mail run: set it to 2000). */
const STATEMENT_UNITS = Number(process.env.BENCH_STATEMENTS_UNITS ?? 1);

/**
 * BENCH_STALL_LOG=file (diagnosis): a 5 ms timer notes every gap of 30 ms or more between its
 * ticks as `start end` in microseconds of the monotonic clock (the clock of a --cpu-prof profile),
 * so the profile's samples inside each stall can be read (see docs/performance.md).
 */
function logStalls(file: string): () => void {
  const stalls: string[] = [];
  let last = process.hrtime.bigint();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    if (now - last >= 30_000_000n) stalls.push(`${last / 1000n} ${now / 1000n}`);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    appendFileSync(file, `# ${process.argv[2]} ${process.pid}\n${stalls.join('\n')}\n`);
  };
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const section = sections[name];
  if (!section) throw new Error(`unknown bench section "${name}" (${Object.keys(sections).join(', ')})`);
  const options = JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as Record<string, unknown>;
  // BENCH_STATEMENTS=1 (embedded store): print the costliest statements of the section to stderr.
  if (process.env.BENCH_STATEMENTS) installStatementTimings();
  const stopStallLog = process.env.BENCH_STALL_LOG ? logStalls(process.env.BENCH_STALL_LOG) : undefined;
  const result = await section(options);
  stopStallLog?.();
  if (process.env.BENCH_STATEMENTS)
    console.error(
      `${name}: statements per unit of ${STATEMENT_UNITS}\n${statementReport(STATEMENT_UNITS, 25).join('\n')}`,
    );
  await reply({ ok: true, result });
}

main()
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    await reply({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(1);
  });
