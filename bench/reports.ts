import type { RunningApp } from '../src/app.js';
import { WebAdapter } from '../src/channels/web/web-adapter.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../src/core/business-calendar.js';
import { reportPeriod } from '../src/core/reports/periods.js';
import { createLogger } from '../src/logger.js';
import { createStaffAccount, staffSession } from '../test/helpers/staff-kit.js';
import { WEB_TEST_SETTINGS } from '../test/helpers/web-kit.js';
import { type BenchStore, startBenchApp } from './bench-app.js';
import { seededReportsStore } from './reports-store.js';

export interface ReportsResult {
  store: 'embedded' | 'server';
  tickets: number;
  messages: number;
  timeEntries: number;
  /** Time spent seeding, ms; 0 when the seeded data were copied from an earlier run's. */
  seedMs: number;
  /** The first GET /staff/reports: loads Plot and linkedom (lazily), ms. */
  firstPage: number;
  /** Later loads of the page (6 months, 12 weeks; four reports, five charts), server time, ms. */
  pages: number[];
  /** GET /staff/reports/revenue.csv, ms. */
  revenueCsv: number[];
}

/**
 * The staff reports page (#25: < 500 ms with 100,000 tickets and 500,000 messages): the app with
 * the web channel, the data seeded in bulk (or copied from an earlier run's, reports-store.ts),
 * an admin signed in over HTTP, the page loaded `runs` times after a first load, for the period
 * that is the default on the day the data were seeded (the last 6 months and 12 weeks).
 */
export async function benchReports(options: {
  customers: number;
  tickets: number;
  messagesPerTicket: number;
  runs: number;
}): Promise<ReportsResult> {
  let store: BenchStore | undefined;
  let app: RunningApp | undefined;
  try {
    const start = (on: BenchStore) =>
      startBenchApp(on, {
        env: { PUBLIC_URL: 'http://staff.bench.test' },
        adapters: (_context, core) => [
          new WebAdapter({
            core,
            settings: WEB_TEST_SETTINGS,
            logger: createLogger('silent'),
            email: () => undefined,
            linkFor: () => undefined,
          }),
        ],
      });
    const prepared = await seededReportsStore(options, start);
    ({ store, app } = prepared);
    const { seeded, seedMs } = prepared;
    const timeZone = DEFAULT_BUSINESS_CALENDAR.timeZone;
    const query = new URLSearchParams({ ...reportPeriod({}, new Date(seeded.now), timeZone) }).toString();
    const password = 'password-bench-12345';
    await createStaffAccount(app.core, { email: 'admin@bench.test', role: 'admin', password });
    const { cookie } = await staffSession(app.url, { email: 'admin@bench.test', password });
    const timed = async (path: string) => {
      const began = performance.now();
      const response = await fetch(`${app!.url}${path}?${query}`, { headers: { cookie } });
      await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      return performance.now() - began;
    };
    const firstPage = await timed('/staff/reports');
    const pages: number[] = [];
    const revenueCsv: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      pages.push(await timed('/staff/reports'));
      revenueCsv.push(await timed('/staff/reports/revenue.csv'));
    }
    const { tickets, messages, timeEntries } = seeded;
    return { store: store.kind, tickets, messages, timeEntries, seedMs, firstPage, pages, revenueCsv };
  } finally {
    await app?.stop();
    await store?.drop();
  }
}
