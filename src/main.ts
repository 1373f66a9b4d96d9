import v8 from 'node:v8';
import type { AppConfig } from './config.js';

// Loading the modules and starting allocate in one burst; without this V8 sizes its young
// generation for it (32 MB) and keeps that until its memory reducer runs ~15 s later. `startApp`
// restores the default growth once started. The modules are imported after this line on purpose.
v8.setFlagsFromString('--semi-space-growth-factor=1');
// Keeps the event loop from running empty until the app listens: when it does (while only a
// WebAssembly compile is pending), Node 24 waits for V8's background jobs and can deadlock with a
// Maglev compile waiting for a collection (nodejs/node#54918). Why: docs/performance.md#start-up-hang-on-node-24
const startUpHold = setInterval(() => {}, 60_000);
await import('dotenv/config');
const { startApp } = await import('./app.js');
const { loadChannelAdapters } = await import('./channels/create-adapters.js');
const { loadConfigFromEnvironment } = await import('./config.js');
const { errorSummary, isKnownError } = await import('./core/errors.js');
const { createConsoleLogger } = await import('./logger.js');

/** `npm start`: read settings, start everything, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    console.error(`Configuration error: ${(error as Error).message}`);
    process.exit(78);
  }
  const logger = await createConsoleLogger(config.env.LOG_LEVEL, config.env.LOG_FORMAT, process.stdout);
  for (const [channel, why] of Object.entries(config.channelsOff)) {
    logger.info({ channel }, `channel ${channel}: off (${why})`);
  }
  const channelAdapters = await loadChannelAdapters(config, logger);
  const app = await startApp({ config, logger, adapters: (_context, core) => channelAdapters(core) });
  clearInterval(startUpHold);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining deliveries and closing the store');
    // Not unref'd: a live timer also keeps the loop from running empty while the store closes
    // (the Node 24 deadlock above); process.exit below ends the process either way.
    setTimeout(() => {
      logger.error('stop took over 20 s; exiting anyway (queued work resumes at the next start)');
      process.exit(1);
    }, 20_000);
    await app.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Announced once the signal handlers are in place: a supervisor (or a test) that stops the
  // process as soon as it reads this line gets a clean stop.
  logger.info(
    { url: app.url, store: app.database.kind },
    `helpdesk listening on ${app.url} (store: ${app.database.kind === 'embedded' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL server'})`,
  );
  if (!config.apiToken && app.apiToken) {
    logger.info(
      `REST API token: generated now, readable in ${config.dataDir}/api-token; set API_TOKEN to choose one`,
    );
  }
}

main().catch((error: unknown) => {
  clearInterval(startUpHold);
  if (isKnownError(error)) {
    console.error(`Cannot start: ${error.message}`);
  } else {
    // Never the whole error: a failed query's error carries its parameters.
    console.error(`Cannot start: ${errorSummary(error)}`);
  }
  process.exit(1);
});
