import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AppOptions, type RunningApp, startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { InboundMessage } from '../src/core/channel.js';
import type { CoreContext } from '../src/core/core-context.js';
import { createCustomer } from '../src/core/customers.js';
import { createLogger } from '../src/logger.js';
import { createTestStore } from '../test/helpers/test-database.js';

/**
 * Where a bench run keeps its data: with DATABASE_URL, a fresh database on that server (dropped
 * afterwards); otherwise embedded PGlite in a temporary data directory, as `npm start` runs it
 * (BENCH_DATA_DIR=memory keeps it in memory instead). The directory is a copy of BENCH_TEMPLATE_DIR
 * when set (an initialised, empty data dir made once by run.ts), so a run measures an installed
 * instance rather than PGlite's first-start initdb, which alone leaves ~500 MB resident.
 */
export interface BenchStore {
  kind: 'embedded' | 'server';
  databaseUrl?: string;
  dataDir: string;
  drop(): Promise<void>;
}

export async function openBenchStore(): Promise<BenchStore> {
  if (process.env.DATABASE_URL) {
    const store = await createTestStore();
    return { kind: 'server', databaseUrl: store.databaseUrl, dataDir: 'memory://', drop: () => store.drop() };
  }
  if (process.env.BENCH_DATA_DIR === 'memory') {
    return { kind: 'embedded', dataDir: 'memory://', drop: async () => {} };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'helpdesk-bench-'));
  const template = process.env.BENCH_TEMPLATE_DIR;
  if (template) cpSync(template, dataDir, { recursive: true });
  return {
    kind: 'embedded',
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export type BenchAppOptions = Omit<AppOptions, 'config' | 'logger'> & { env?: Record<string, string> };

/** The whole app as `startApp` wires it, on a bench store, quiet, on a free port. */
export function startBenchApp(store: BenchStore, options: BenchAppOptions = {}): Promise<RunningApp> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    API_TOKEN: 'bench-api-token-0123456789',
    APP_SECRET: 'bench-app-secret-0123456789',
    DATA_DIR: store.dataDir,
    DATABASE_URL: store.databaseUrl,
    ...options.env,
  });
  const { env: _env, ...rest } = options;
  return startApp({
    config,
    logger: createLogger(process.env.BENCH_LOG ?? 'silent'),
    ...rest,
    // Every acknowledgement is queued (the per-recipient hourly limit would suppress repeats), and
    // every unknown sender answered (the global hourly cap would change the workload).
    settings: {
      autoReplyLimitPerHour: 100_000,
      unknownSenderRepliesPerHour: 100_000,
      deliveryRetryBaseMs: 50,
      ...rest.settings,
    },
  });
}

/** Creates `count` active customers, each with one verified identity of `kind` at `address(i)`. */
export async function createCustomers(
  core: CoreContext,
  count: number,
  kind: 'test' | 'email' | 'telegram',
  address: (i: number) => string,
): Promise<string[]> {
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = address(i);
    await createCustomer(
      core,
      { name: `Cliente ${i}`, status: 'active', identities: [{ kind, address: a }] },
      'bench',
    );
    addresses.push(a);
  }
  return addresses;
}

const BODY =
  'Buongiorno, da stamattina il PC in ufficio non si collega più alla stampante di rete. ' +
  'Ho già provato a riavviare sia il computer sia la stampante ma il problema resta. ' +
  'Potete richiamarmi o collegarvi da remoto? Grazie, saluti.';
const QUOTE = `\n\nIl giorno lun 10 mar 2025 alle 10:00 Assistenza ha scritto:\n> ${BODY.replace(/\. /g, '.\n> ')}`;

let sequence = 0;

/** A normalised inbound message like a channel adapter hands the core (about 1 KB raw). */
export function benchMessage(
  channel: InboundMessage['channel'],
  sender: InboundMessage['sender'],
  thread: InboundMessage['thread'] = {},
  subject = 'Stampante di rete non raggiungibile',
): InboundMessage {
  sequence++;
  const externalId = `bench-${process.pid}-${sequence}`;
  const newText = `${BODY} (${sequence})`;
  return {
    channel,
    externalId,
    sender,
    subject,
    newText,
    fullText: `${newText}${QUOTE}`,
    attachments: [],
    thread,
    receivedAt: new Date(),
    raw: {
      contentType: 'application/json',
      data: JSON.stringify({ update_id: sequence, message: { from: sender, text: newText, subject } }),
    },
  };
}

/** A small seeded PRNG (mulberry32), so every run gets the same mix. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Initialises an empty embedded data dir (schema, pg-boss, instance secrets) for {@link openBenchStore}. */
export async function makeTemplate(dataDir: string): Promise<void> {
  const app = await startBenchApp({ kind: 'embedded', dataDir, drop: async () => {} }, { workers: false });
  await app.stop();
}
