import 'dotenv/config';
import { loadConfigFromEnvironment } from './config.js';
import { errorSummary, isKnownError } from './core/errors.js';
import { openDatabase } from './db/database.js';
import { StoreLockedError } from './db/errors.js';
import { createAdminFromCli } from './web/staff/first-admin.js';
import { STAFF_LINK_HOURS } from './web/staff/staff-accounts.js';

/**
 * `npm run admin:create -- EMAIL [NAME]`: opens the configured store (embedded or server), creates
 * a staff admin and prints its one-time set-password link (PUBLIC_URL/staff/set-password?token=…).
 * The embedded store is single-process: while the app runs on it, this refuses and says so.
 */
async function main(argv: string[]): Promise<number> {
  const [email, ...nameParts] = argv.filter((a) => a !== '--');
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    console.error(
      'Usage: npm run admin:create -- EMAIL [NAME]   (e.g. npm run admin:create -- anna@shop.it "Anna Bianchi")',
    );
    return 64;
  }
  const config = loadConfigFromEnvironment();
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  } catch (error) {
    if (error instanceof StoreLockedError) {
      console.error(
        `The app is running on ${config.dataDir} (process ${error.context.pid}): the embedded store allows one process. Stop the app, run this again, then start the app.`,
      );
      return 75;
    }
    throw error;
  }
  try {
    const ctx = {
      database,
      now: () => new Date(),
      settings: { publicUrl: config.publicUrl, companyName: config.env.COMPANY_NAME },
    };
    const { link, created } = await createAdminFromCli(ctx, email, nameParts.join(' ') || undefined);
    console.log(
      `${created ? 'Admin created' : 'Admin exists: new link'} for ${email.toLowerCase()}. Open this link within ${STAFF_LINK_HOURS} hours to choose the password (it works once):\n${link}`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

// As in main.ts: the event loop never runs empty while the embedded store compiles its WebAssembly
// (nodejs/node#54918). process.exit below ends it.
setInterval(() => {}, 60_000);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`admin:create failed: ${isKnownError(error) ? error.message : errorSummary(error)}`);
    process.exit(1);
  },
);
