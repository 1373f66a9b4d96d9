import { z } from 'zod';
import { type BusinessCalendarSettings, parseBusinessHours } from './core/business-calendar.js';
import { ConfigError } from './core/errors.js';

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
  MAX_ATTACHMENT_MB: int(10, 1, 100),
  MAX_MAIL_MB: int(25, 1, 200),
  AUTO_REPLY_LIMIT_PER_HOUR: int(3, 1, 100),

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
      .regex(/^[A-Za-z0-9_-]{1,256}$/, { message: 'use 1-256 characters among A-Z a-z 0-9 _ -' })
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
    z.enum(['IT', 'none'], { message: 'use IT or none' }).default('IT'),
  ),
  EXTRA_CLOSURES: z.preprocess(emptyToUndefined, z.string().default('')),
  HOURLY_RATE_CENTS: int(3000, 0, 10_000_000),
  VAT_PERCENT: int(22, 0, 100),
  REOPEN_DAYS: int(14, 0, 3650),
  REMOTE_TOOL_NAME: z.preprocess(emptyToUndefined, z.string().default('RustDesk')),
  REMOTE_TOOL_URL: z.preprocess(emptyToUndefined, z.url().default('https://rustdesk.com/download')),
  COMPANY_NAME: z.preprocess(emptyToUndefined, z.string().default('Digital Micro Snc')),
  DELIVERY_MAX_ATTEMPTS: int(8, 1, 50),
  WORKER_POLL_MS: int(500, 100, 60_000),
});

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

export type Env = z.infer<typeof schema>;

/** Settings of the email channel; absent when the channel is off. */
export interface EmailSettings {
  imap: { host: string; port: number; secure: boolean; user: string; password: string; mailbox: string };
  processedMailbox?: string;
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string };
  from: string;
  fromName: string;
  maxAttachmentBytes: number;
  maxMailBytes: number;
}

export interface TelegramSettings {
  token: string;
  apiRoot?: string;
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
  /** Why each channel is off, for the one-line start-up report. */
  channelsOff: Record<string, string>;
}

/** Parse settings; throws ConfigError naming the first bad setting and how to fix it. */
export function loadConfig(source: Record<string, string | undefined>): AppConfig {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const setting = String(issue.path[0] ?? 'settings');
    // A secret's value is never echoed, even a wrong one: it may be a real token pasted in the wrong place.
    const got = SECRET_SETTINGS.has(setting)
      ? 'value hidden'
      : `got ${JSON.stringify(source[setting] ?? '')}`;
    throw new ConfigError(setting, `${setting}: ${issue.message} (${got})`);
  }
  const env = result.data;
  const channelsOff: Record<string, string> = {};
  const extraClosures = env.EXTRA_CLOSURES.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const badClosure = extraClosures.find((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(d)));
  if (badClosure) {
    throw new ConfigError(
      'EXTRA_CLOSURES',
      `EXTRA_CLOSURES: use dates like 2026-08-14,2026-12-24 (got "${badClosure}")`,
    );
  }
  const calendar: BusinessCalendarSettings = {
    timeZone: env.TIMEZONE,
    hours: parseBusinessHours(env.BUSINESS_HOURS),
    workingDays: [1, 2, 3, 4, 5],
    holidaysCountry: env.HOLIDAYS_COUNTRY,
    extraClosures,
  };
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
      },
      from: env.MAIL_FROM!,
      fromName: env.MAIL_FROM_NAME,
      maxAttachmentBytes: env.MAX_ATTACHMENT_MB * 1024 * 1024,
      maxMailBytes: env.MAX_MAIL_MB * 1024 * 1024,
    };
  } else {
    channelsOff.email = `${imapMissing.join(', ')} not set`;
  }

  let telegram: TelegramSettings | undefined;
  if (env.TELEGRAM_BOT_TOKEN) {
    telegram = { token: env.TELEGRAM_BOT_TOKEN, apiRoot: env.TELEGRAM_API_ROOT };
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
  channelsOff.web = 'not available yet in this version';

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
    channelsOff,
  };
}

const SECRET_SETTINGS = new Set([
  'API_TOKEN',
  'APP_SECRET',
  'IMAP_PASSWORD',
  'SMTP_PASSWORD',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
]);

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
  };
}

/** The settings of this process: its environment (with `.env` loaded by the caller). */
export function loadConfigFromEnvironment(): AppConfig {
  return loadConfig(process.env);
}
