import type { RunningApp } from '../src/app.js';
import { WebAdapter } from '../src/channels/web/web-adapter.js';
import { createLogger } from '../src/logger.js';
import { createStaffAccount, staffSession } from '../test/helpers/staff-kit.js';
import { WEB_TEST_SETTINGS } from '../test/helpers/web-kit.js';
import { openBenchStore, startBenchApp } from './bench-app.js';
import { seedReportData } from './seed-reports.js';

export interface ReportsResult {
  store: 'embedded' | 'server';
  tickets: number;
  messages: number;
  timeEntries: number;
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
 * the web channel, the data seeded in bulk, an admin signed in over HTTP, the page loaded `runs`
 * times after a first load.
 */
export async function benchReports(options: {
  customers: number;
  tickets: number;
  messagesPerTicket: number;
  runs: number;
}): Promise<ReportsResult> {
  const store = await openBenchStore();
  let app: RunningApp | undefined;
  try {
    app = await startBenchApp(store, {
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
    const seedStart = performance.now();
    const seeded = await seedReportData(app.database.sql, { ...options, now: new Date() });
    const seedMs = performance.now() - seedStart;
    const password = 'password-bench-12345';
    await createStaffAccount(app.core, { email: 'admin@bench.test', role: 'admin', password });
    const { cookie } = await staffSession(app.url, { email: 'admin@bench.test', password });
    const timed = async (path: string) => {
      const start = performance.now();
      const response = await fetch(`${app!.url}${path}`, { headers: { cookie } });
      await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      return performance.now() - start;
    };
    const firstPage = await timed('/staff/reports');
    const pages: number[] = [];
    const revenueCsv: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      pages.push(await timed('/staff/reports'));
      revenueCsv.push(await timed('/staff/reports/revenue.csv'));
    }
    return { store: store.kind, ...seeded, seedMs, firstPage, pages, revenueCsv };
  } finally {
    await app?.stop();
    await store.drop();
  }
}
