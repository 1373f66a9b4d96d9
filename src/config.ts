import path from 'node:path';
import { z } from 'zod';
import { type BusinessCalendarSettings, parseBusinessHours } from './core/business-calendar.js';
import { ConfigError } from './core/errors.js';
import { holidayPlaceOf } from './core/holidays.js';

/**
 * Settings, read once at start from the environment (and `.env`) into one typed object.
 * Nothing else in `src/` reads `process.env`: adapters get their part through their constructor.
 */

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const bool = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'use true or false' })
      .optional()
      .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value))),
  );
const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'use a whole number' })
      .int({ message: 'use a whole number' })
      .min(min, { message: `use a number of at least ${min}` })
      .max(max, { message: `use a number of at most ${max}` })
      .default(fallback),
  );
const url = z.preprocess(
  emptyToUndefined,
  z.url({ message: 'use a full URL like https://example.com' }).optional(),
);

const schema = z.object({
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'use a URL like postgres://user:password@host:5432/db' })
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  PORT: int(3000, 0, 65535),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  PUBLIC_URL: url,
  API_TOKEN: optionalString.pipe(
    z.string().min(16, { message: 'use at least 16 random characters' }).optional(),
  ),
  APP_SECRET: optionalString.pipe(
    z.string().min(16, { message: 'use at least 16 random characters' }).optional(),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** `auto`: readable lines when stdout is a terminal, JSON lines otherwise (files, journald, pipes). */
  LOG_FORMAT: z.preprocess(
    emptyToUndefined,
    z.enum(['auto', 'json', 'pretty'], { message: 'use auto, json or pretty' }).default('auto'),
  ),

  IMAP_HOST: optionalString,
  IMAP_PORT: int(993, 1, 65535),
  IMAP_SECURE: bool(true),
  IMAP_USER: optionalString,
  IMAP_PASSWORD: optionalString,
  IMAP_MAILBOX: z.preprocess(emptyToUndefined, z.string().default('INBOX')),
  IMAP_PROCESSED_MAILBOX: optionalString,
  SMTP_HOST: optionalString,
  SMTP_PORT: int(587, 1, 65535),
  SMTP_SECURE: bool(false),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  MAIL_FROM: z.preprocess(
    emptyToUndefined,
    z.email({ message: 'use an address like help@example.com' }).optional(),
  ),
  MAIL_FROM_NAME: z.preprocess(emptyToUndefined, z.string().default('Assistenza')),
  MAIL_OWN_LISTS: z.preprocess(emptyToUndefined, z.string().default('')),
  IMAP_ACK_MAX_AGE_HOURS: int(24, 0, 24 * 365),
  IMAP_IMPORT_SINCE: optionalString.pipe(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?$/, {
        message: 'use a date like 2026-11-01 or 2026-11-01T08:00:00+01:00',
      })
      .refine(isRealDate, { message: 'use a date that exists, like 2026-11-01' })
      .optional(),
  ),
  MAIL_AUTHSERV_ID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((id) => id.trim().toLowerCase())
          .filter(Boolean),
      )
      .refine((ids) => ids.every((id) => /^[a-z0-9.-]+$/.test(id)), {
        message:
          'use the host name your mailbox provider writes in Authentication-Results, like mx.google.com',
      }),
  ),
  MAX_ATTACHMENT_MB: int(10, 1, 100),
  MAX_MAIL_MB: int(25, 1, 200),
  MAX_RAW_INPUT_MB: int(10, 1, 200),
  MAIL_PARSE_TIMEOUT_S: int(20, 1, 600),
  AUTO_REPLY_LIMIT_PER_HOUR: int(3, 1, 100),
  UNKNOWN_SENDER_REPLIES_PER_HOUR: int(30, 0, 10_000),

  TELEGRAM_BOT_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, { message: 'use the token @BotFather gave you, like 123456:ABC-DEF…' })
      .optional(),
  ),
  TELEGRAM_API_ROOT: url,
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, {
        message: 'use 16-256 random characters among A-Z a-z 0-9 _ - (for example: openssl rand -hex 16)',
      })
      .optional(),
  ),

  SLACK_BOT_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^xoxb-[\w-]+$/, { message: 'use the Bot User OAuth Token, which starts with xoxb-' })
      .optional(),
  ),
  SLACK_APP_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^xapp-[\w-]+$/, {
        message: 'use an app-level token (connections:write), which starts with xapp-',
      })
      .optional(),
  ),
  SLACK_SIGNING_SECRET: optionalString.pipe(
    z.string().min(8, { message: "use the app's Signing Secret (Basic Information page)" }).optional(),
  ),
  SLACK_API_URL: url,
  SLACK_CHANNEL_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, { message: 'use the channel id (like C0123ABCD), not its name' })
      .optional(),
  ),
  SLACK_TECHNICIANS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      )
      .refine((ids) => ids.every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)), {
        message: 'use Slack user ids (like U0123ABCD) separated by commas',
      }),
  ),
  SLACK_NOTE_PREFIX: z.preprocess(emptyToUndefined, z.string().default('nota:')),
  SLACK_REPLY_MODE: z.preprocess(
    emptyToUndefined,
    z.enum(['relay', 'explicit'], { message: 'use relay or explicit' }).default('relay'),
  ),
  SLACK_RELAY_DELAY_SECONDS: int(5, 0, 300),
  SLACK_COMMAND: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\/[a-z0-9_-]{1,31}$/, { message: 'use a slash command like /helpdesk' })
      .default('/helpdesk'),
  ),

  TIMEZONE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('Europe/Rome')
      .refine(isTimeZone, { message: 'use an IANA time zone like Europe/Rome' }),
  ),
  LOCALE: z.preprocess(emptyToUndefined, z.enum(['it', 'en'], { message: 'use it or en' }).default('it')),
  BUSINESS_HOURS: z.preprocess(emptyToUndefined, z.string().default('09:00-12:00,15:00-18:00')),
  HOLIDAYS_COUNTRY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([A-Z]{2}|none)$/, { message: 'use a two-letter country code like IT, or none' })
      .default('IT'),
  ),
  EXTRA_CLOSURES: z.preprocess(emptyToUndefined, z.string().default('')),
  // --- business calendar, first-contact and activation timers (#23) ---
  HOLIDAYS_REGION: optionalString,
  ACTIVATION_REMINDER_HOURS: int(24, 1, 720),
  ACTIVATION_DEADLINE_HOURS: int(48, 1, 720),
  SLOT_TRAVEL_BUFFER_MINUTES: int(30, 0, 240),
  SLOT_MIN_NOTICE_MINUTES: int(120, 0, 2880),
  // --- end #23 ---
  HOURLY_RATE_CENTS: int(3000, 0, 10_000_000),
  VAT_PERCENT: int(22, 0, 100),
  REOPEN_DAYS: int(14, 0, 3650),
  REMOTE_TOOL_NAME: z.preprocess(emptyToUndefined, z.string().default('RustDesk')),
  REMOTE_TOOL_URL: z.preprocess(emptyToUndefined, z.url().default('https://rustdesk.com/download')),
  COMPANY_NAME: z.preprocess(emptyToUndefined, z.string().default('Digital Micro Snc')),
  // ---- Remote-access consent (issue 21) ----
  /** An unanswered consent request expires after this many minutes (T4). */
  CONSENT_TTL_MINUTES: int(30, 1, 24 * 60),
  /** Remote-tool credentials wait this many minutes in memory for the technician's one-time read. */
  CREDENTIALS_TTL_MINUTES: int(10, 1, 120),
  // ---- end of remote-access consent ----
  DELIVERY_MAX_AGE_HOURS: int(48, 1, 720),
  DELIVERY_LEASE_SECONDS: int(600, 30, 86_400),
  DELIVERY_SEND_TIMEOUT_SECONDS: int(60, 5, 600),
  DELIVERY_SWEEP_SECONDS: int(60, 5, 3600),
  WORKER_POLL_MS: int(500, 100, 60_000),
  // --- Web channel (#22): registration, sign-in, customer portal ---
  WEB_PORTAL: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('on')),
  WEB_SIGNIN_ATTEMPTS: int(5, 2, 100),
  WEB_LOCKOUT_MINUTES: int(15, 1, 1440),
  WEB_SESSION_HOURS: int(12, 1, 720),
  TRUST_PROXY: bool(false),
  // --- end web channel ---
  // --- Staff dashboard (#25) ---
  /** Admins must turn on the TOTP second factor before anything else on the dashboard. */
  STAFF_REQUIRE_2FA: bool(false),
  // --- end staff dashboard ---
});

/** `YYYY-MM-DD…` whose day exists (not 2026-02-30) and that parses as a time. */
function isRealDate(value: string): boolean {
  const day = value.slice(0, 10);
  const midnight = new Date(`${day}T00:00:00Z`);
  return (
    !Number.isNaN(midnight.getTime()) &&
    midnight.toISOString().slice(0, 10) === day &&
    !Number.isNaN(Date.parse(value))
  );
}

function isTimeZone(zone: string): boolean {
  // The list of canonical zones is cheap; a DateTimeFormat loads ICU's date-formatting data
  // (~8 MB resident), which the app otherwise needs only once tickets arrive. Aliases
  // (US/Eastern, Europe/Kiev) are not in the list and are checked the expensive way.
  if (Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether a `YYYY-MM-DD` string names a day that exists (not 2026-02-30, not 2026-13-01).
 * `Date.parse` is no test: V8 reads 2026-02-30 as 2 March. */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    month >= 1 &&
    month <= 12 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

/**
 * Settings whose value must never appear in an error or a log: tokens, passwords, secrets, and
 * `DATABASE_URL`, which carries the database password.
 */
export function isSecretSetting(name: string): boolean {
  return /TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(name);
}

export type Env = z.infer<typeof schema>;

/** Settings of the email channel; absent when the channel is off. */
export interface EmailSettings {
  imap: { host: string; port: number; secure: boolean; user: string; password: string; mailbox: string };
  processedMailbox?: string;
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    user?: string;
    password?: string;
    /** Connection, greeting and socket-inactivity timeout of each send. */
    sendTimeoutMs?: number;
  };
  from: string;
  fromName: string;
  maxAttachmentBytes: number;
  /** Mails larger than this (IMAP size) are not fetched whole: headers and first text part only. */
  maxMailBytes: number;
  /** Our support address's own groups or lists (MAIL_OWN_LISTS; MAIL_FROM when empty), lower-case. */
  ownLists?: string[];
  /** Mail older than this (IMAP internal date) is stored without any automatic answer. */
  ackMaxAgeHours?: number;
  /** Mail received before this (IMAP internal date) is not imported; unset: the mailbox's first start. */
  importSince?: Date;
  /** MAIL_AUTHSERV_ID: whose Authentication-Results (DMARC) verdicts count; empty = none. */
  trustedAuthservIds?: string[];
  /** The raw source kept of one mail, at most; its start is kept with a note of the whole size. */
  maxRawInputBytes: number;
  /** Budget of one mail's parse in the worker thread, in ms; over it the mail is kept raw. */
  parseTimeoutMs: number;
}

export interface TelegramSettings {
  token: string;
  apiRoot?: string;
  /** Each Bot API request is abandoned after this long (grammY's default is 500 s). */
  sendTimeoutSeconds?: number;
  webhook?: { url: string; secret: string };
}

export interface SlackSettings {
  botToken: string;
  /** Socket Mode when set; else HTTP events at `/slack/events`, which need the signing secret. */
  appToken?: string;
  signingSecret?: string;
  apiUrl?: string;
  channelId: string;
  technicians: string[];
  notePrefix: string;
  replyMode: 'relay' | 'explicit';
  relayDelayMs: number;
  command: string;
  /** Each Web API call is abandoned after this long, in ms (DELIVERY_SEND_TIMEOUT_SECONDS). */
  sendTimeoutMs?: number;
}

export interface AppConfig {
  env: Env;
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  apiToken?: string;
  appSecret?: string;
  email?: EmailSettings;
  telegram?: TelegramSettings;
  slack?: SlackSettings;
  calendar: BusinessCalendarSettings;
  /** T1: a pending registration's reminder and deadline, in clock hours after it was received. */
  activation: { reminderHours: number; deadlineHours: number };
  /** Slot proposals (#23): on-site travel time kept free around a slot; notice in business minutes. */
  slots: { travelBufferMinutes: number; minNoticeBusinessMinutes: number };
  /** Why each channel is off, for the one-line start-up report. */
  channelsOff: Record<string, string>;
  /** The web channel (registration and portal): on with the email channel, which mails the credentials. */
  web?: WebChannelSettings;
}

/** Web channel settings (#22). */
export interface WebChannelSettings {
  secureCookies: boolean;
  signInAttempts: number;
  lockoutMs: number;
  sessionMaxAgeMs: number;
  maxAttachmentBytes: number;
  defaultLocale: 'it' | 'en';
  /** STAFF_REQUIRE_2FA (#25): admins need the TOTP second factor. */
  staffRequire2fa?: boolean;
  /**
   * The key of staff TOTP secrets at rest (#25): derived from `APP_SECRET` when set, else the key
   * file `DATA_DIR/totp.key` (none for an in-memory store: a key of the process, tests only).
   */
  totpKey?: { appSecret?: string; keyFile?: string };
}

/**
 * Where the key of staff TOTP secrets comes from (#25): `APP_SECRET` when set, else the key file
 * `DATA_DIR/totp.key`; an in-memory store (`memory://`, tests) has no file (a key of the process).
 */
export function totpKeySource(dataDir: string, appSecret?: string): { appSecret?: string; keyFile?: string } {
  return {
    appSecret: appSecret || undefined,
    keyFile: dataDir.startsWith('memory://') ? undefined : path.join(dataDir, 'totp.key'),
  };
}

/** Parse settings; throws ConfigError naming the first bad setting and how to fix it. */
export function loadConfig(source: Record<string, string | undefined>): AppConfig {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const setting = String(issue.path[0] ?? 'settings');
    const got = isSecretSetting(setting)
      ? '(its value is not shown: it is a secret)'
      : `(got ${JSON.stringify(source[setting] ?? '')})`;
    throw new ConfigError(setting, `${setting}: ${issue.message} ${got}`);
  }
  const env = result.data;
  const channelsOff: Record<string, string> = {};
  const extraClosures = env.EXTRA_CLOSURES.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const badClosure = extraClosures.find((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d));
  if (badClosure) {
    throw new ConfigError(
      'EXTRA_CLOSURES',
      `EXTRA_CLOSURES: use dates like 2026-08-14,2026-12-24 (got "${badClosure}")`,
    );
  }
  const missingDay = extraClosures.find((d) => !isCalendarDate(d));
  if (missingDay) {
    throw new ConfigError(
      'EXTRA_CLOSURES',
      `EXTRA_CLOSURES: "${missingDay}" is not a day of the calendar (check the month and the day); use dates like 2026-08-14,2026-12-24`,
    );
  }
  // --- business calendar (#23): holidays from date-holidays ---
  const holidays = holidayPlaceOf(env.HOLIDAYS_COUNTRY, env.HOLIDAYS_REGION);
  if (typeof holidays === 'string') {
    const setting =
      env.HOLIDAYS_REGION && !holidays.startsWith('unknown country') ? 'HOLIDAYS_REGION' : 'HOLIDAYS_COUNTRY';
    throw new ConfigError(setting, `${setting}: ${holidays}`);
  }
  const calendar: BusinessCalendarSettings = {
    timeZone: env.TIMEZONE,
    hours: parseBusinessHours(env.BUSINESS_HOURS),
    workingDays: [1, 2, 3, 4, 5],
    holidays,
    extraClosures,
  };
  if (env.DELIVERY_LEASE_SECONDS < 3 * env.DELIVERY_SEND_TIMEOUT_SECONDS) {
    throw new ConfigError(
      'DELIVERY_LEASE_SECONDS',
      `DELIVERY_LEASE_SECONDS: must be at least 3 × DELIVERY_SEND_TIMEOUT_SECONDS (${3 * env.DELIVERY_SEND_TIMEOUT_SECONDS}), so a send ends well before another worker may take it over; raise it or lower DELIVERY_SEND_TIMEOUT_SECONDS (got ${env.DELIVERY_LEASE_SECONDS})`,
    );
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');

  let email: EmailSettings | undefined;
  const imapMissing = ['IMAP_HOST', 'IMAP_USER', 'IMAP_PASSWORD', 'SMTP_HOST', 'MAIL_FROM'].filter(
    (key) => !env[key as keyof Env],
  );
  if (imapMissing.length === 0) {
    email = {
      imap: {
        host: env.IMAP_HOST!,
        port: env.IMAP_PORT,
        secure: env.IMAP_SECURE,
        user: env.IMAP_USER!,
        password: env.IMAP_PASSWORD!,
        mailbox: env.IMAP_MAILBOX,
      },
      processedMailbox: env.IMAP_PROCESSED_MAILBOX,
      smtp: {
        host: env.SMTP_HOST!,
        port: env.SMTP_PORT,
        secure: env.SMTP_SECURE,
        user: env.SMTP_USER,
        password: env.SMTP_PASSWORD,
        sendTimeoutMs: env.DELIVERY_SEND_TIMEOUT_SECONDS * 1000,
      },
      from: env.MAIL_FROM!,
      fromName: env.MAIL_FROM_NAME,
      maxAttachmentBytes: env.MAX_ATTACHMENT_MB * 1024 * 1024,
      maxMailBytes: env.MAX_MAIL_MB * 1024 * 1024,
      ownLists: ownLists(env.MAIL_OWN_LISTS),
      ackMaxAgeHours: env.IMAP_ACK_MAX_AGE_HOURS,
      ...(env.IMAP_IMPORT_SINCE ? { importSince: new Date(env.IMAP_IMPORT_SINCE) } : {}),
      trustedAuthservIds: env.MAIL_AUTHSERV_ID,
      maxRawInputBytes: env.MAX_RAW_INPUT_MB * 1024 * 1024,
      parseTimeoutMs: env.MAIL_PARSE_TIMEOUT_S * 1000,
    };
  } else {
    channelsOff.email = `${imapMissing.join(', ')} not set`;
  }

  let telegram: TelegramSettings | undefined;
  if (env.TELEGRAM_BOT_TOKEN) {
    telegram = {
      token: env.TELEGRAM_BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT,
      sendTimeoutSeconds: env.DELIVERY_SEND_TIMEOUT_SECONDS,
    };
    if (env.TELEGRAM_WEBHOOK_SECRET) {
      if (!env.PUBLIC_URL) {
        throw new ConfigError(
          'PUBLIC_URL',
          'PUBLIC_URL: set it to the public https address of this server to use TELEGRAM_WEBHOOK_SECRET (webhook mode), or unset TELEGRAM_WEBHOOK_SECRET to use long polling',
        );
      }
      telegram.webhook = { url: `${publicUrl}/telegram/webhook`, secret: env.TELEGRAM_WEBHOOK_SECRET };
    }
  } else {
    channelsOff.telegram = 'TELEGRAM_BOT_TOKEN not set';
  }
  const slack = slackSettings(env);
  if (!slack) channelsOff.slack = 'SLACK_BOT_TOKEN or SLACK_CHANNEL_ID not set';
  let web: WebChannelSettings | undefined;
  if (env.WEB_PORTAL === 'off') channelsOff.web = 'WEB_PORTAL=off';
  else if (!email) channelsOff.web = 'needs the email channel (registration mails the credentials)';
  else {
    web = {
      secureCookies: publicUrl.startsWith('https://'),
      signInAttempts: env.WEB_SIGNIN_ATTEMPTS,
      lockoutMs: env.WEB_LOCKOUT_MINUTES * 60_000,
      sessionMaxAgeMs: env.WEB_SESSION_HOURS * 3600_000,
      maxAttachmentBytes: env.MAX_ATTACHMENT_MB * 1024 * 1024,
      defaultLocale: env.LOCALE,
      staffRequire2fa: env.STAFF_REQUIRE_2FA,
      totpKey: totpKeySource(env.DATA_DIR, env.APP_SECRET),
    };
  }

  return {
    env,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    apiToken: env.API_TOKEN,
    appSecret: env.APP_SECRET,
    email,
    telegram,
    slack,
    calendar,
    activation: {
      reminderHours: env.ACTIVATION_REMINDER_HOURS,
      deadlineHours: env.ACTIVATION_DEADLINE_HOURS,
    },
    slots: {
      travelBufferMinutes: env.SLOT_TRAVEL_BUFFER_MINUTES,
      minNoticeBusinessMinutes: env.SLOT_MIN_NOTICE_MINUTES,
    },
    channelsOff,
    web,
  };
}

/** MAIL_OWN_LISTS: comma-separated addresses; throws ConfigError naming the bad one. */
function ownLists(value: string): string[] {
  const addresses = value
    .split(',')
    .map((address) => address.trim().toLowerCase())
    .filter(Boolean);
  const bad = addresses.find((address) => !z.email().safeParse(address).success);
  if (bad !== undefined) {
    throw new ConfigError(
      'MAIL_OWN_LISTS',
      `MAIL_OWN_LISTS: use addresses separated by commas, like assistenza@example.com,help@example.com (got "${bad}")`,
    );
  }
  return addresses;
}

/** Slack is on with a bot token and the technicians' channel; HTTP mode also needs the signing secret. */
function slackSettings(env: Env): SlackSettings | undefined {
  if (!env.SLACK_BOT_TOKEN || !env.SLACK_CHANNEL_ID) return undefined;
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET',
      'SLACK_SIGNING_SECRET: set it (Basic Information → Signing Secret) to receive Slack events over HTTP, or set SLACK_APP_TOKEN to use Socket Mode',
    );
  }
  return {
    botToken: env.SLACK_BOT_TOKEN,
    appToken: env.SLACK_APP_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    apiUrl: env.SLACK_API_URL,
    channelId: env.SLACK_CHANNEL_ID,
    technicians: env.SLACK_TECHNICIANS,
    notePrefix: env.SLACK_NOTE_PREFIX,
    replyMode: env.SLACK_REPLY_MODE,
    relayDelayMs: env.SLACK_RELAY_DELAY_SECONDS * 1000,
    command: env.SLACK_COMMAND,
    sendTimeoutMs: env.DELIVERY_SEND_TIMEOUT_SECONDS * 1000,
  };
}

/** The settings of this process: its environment (with `.env` loaded by the caller). */
export function loadConfigFromEnvironment(): AppConfig {
  return loadConfig(process.env);
}
