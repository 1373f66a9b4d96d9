/**
 * The Slack channel: technicians work each ticket in one thread of `SLACK_CHANNEL_ID`, and
 * customers who are Slack users write to the bot in a DM. Transport by Bolt: Socket Mode when
 * `SLACK_APP_TOKEN` is set, else HTTP events on the app's server at `/slack/events`
 * ({@link FastifyReceiver}). Loaded only when Slack is on.
 */

import { createRequire } from 'node:module';
import type { App, Logger as BoltLogger } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import type { SlackSettings } from '../../config.js';
import type {
  AttachmentLimits,
  BackgroundFailure,
  ChannelAdapter,
  ChannelContext,
  ChannelName,
  OutboundMessage,
  SendResult,
} from '../../core/channel.js';
import { CredentialVault } from '../../core/consent/credential-vault.js';
import type { CoreContext, DeliverySettled } from '../../core/core-context.js';
import { DeliveryError, errorSummary } from '../../core/errors.js';
import { isTechnicianSlackUser, staffOfSlackUser } from '../../core/staff-directory.js';
import { slackDmThreadOfTicket } from '../../db/sql/slack-dm-thread-of-ticket.js';
import type { Logger } from '../../logger.js';
import { escapeChatMarkup } from '../../templates/format.js';
import { splitText } from '../telegram/format-message.js';
import { FastifyReceiver } from './http-receiver.js';
import { MirrorLoop } from './mirror-loop.js';
import { MESSAGE_TEXT_LIMIT } from './slack-blocks.js';
import { customerButtonBlocks, handOverInSlack, registerCustomerButtons } from './slack-consent.js';
import { slackRelayFiles } from './slack-files.js';
import { registerListeners } from './slack-inbound.js';
import { SlackMirror } from './slack-mirror.js';
import { DEFAULT_PACE_MS, retryAfterSeconds, SlackPoster } from './slack-poster.js';
import { pruneSeenEvents } from './slack-store.js';
import { checkedSocketModeReceiver } from './socket-mode-receiver.js';

/**
 * Bolt's `App` from its own module, not the package's index: the index also loads the Express
 * receiver (express, body-parser, qs, send and more, ~1.7 MB of heap) that Socket Mode and our
 * Fastify receiver never use. Why: docs/performance.md#memory
 */
const { default: BoltApp, LogLevel } = createRequire(import.meta.url)(
  '@slack/bolt/dist/App.js',
) as typeof import('@slack/bolt/dist/App.js');

export interface SlackAdapterOptions {
  settings: SlackSettings;
  core: CoreContext;
  logger: Logger;
  timeZone: string;
  maxFileBytes: number;
  /** How often the thread mirror looks for new work when nothing woke it (ms). */
  pollMs: number;
  /** Minimum gap between posts into one channel (ms); Slack's guidance is 1 s. */
  paceMs?: number;
  /**
   * Files one message of each customer channel may carry (the running adapters' `attachmentLimits`),
   * for technicians' replies with files. Undefined for a channel = it carries none.
   */
  attachmentLimitsOf?: (channel: ChannelName) => AttachmentLimits | undefined;
}

/** Slack's files API takes files up to 1 GB (api.slack.com/methods/files.getUploadURLExternal). */
const SLACK_ATTACHMENT_LIMITS: AttachmentLimits = { maxFileBytes: 1024 * 1024 * 1024 };

/** Slack errors after which sending again cannot help. */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'user_not_found',
  'not_in_channel',
  'is_archived',
  'account_inactive',
  'user_disabled',
  'cannot_dm_bot',
  'msg_too_long',
  'no_text',
  'invalid_auth',
]);

/** Keys de-duplicating events are kept a day (Slack retries for ~5 minutes). */
const SEEN_EVENTS_KEEP_MS = 24 * 3600_000;

function boltLogger(logger: Logger): BoltLogger {
  // Bolt logs at debug/info what we do not need; warnings and errors go to our JSON log.
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => logger.warn({ source: 'bolt' }, msg.map(String).join(' ').slice(0, 500)),
    error: (...msg: unknown[]) => logger.error({ source: 'bolt' }, msg.map(String).join(' ').slice(0, 500)),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}

export class SlackAdapter implements ChannelAdapter {
  readonly name = 'slack' as const;
  readonly attachmentLimits = SLACK_ATTACHMENT_LIMITS;
  private app?: App;
  private poster?: SlackPoster;
  private loop?: MirrorLoop;
  private readonly receiver?: FastifyReceiver;
  private readonly names = new Map<string, string>();
  /** deliveryId → what a multi-step send already posted, so a retry posts only the rest. */
  private readonly partsSent = new Map<string, { ids: string[]; channel: string; done: number }>();
  private pruneTimer?: NodeJS.Timeout;
  private handOver?: (held: { ticketNumber: number; technicianRef?: string }) => void;
  private readonly onSettled = (_event: DeliverySettled) => this.loop?.wake();
  private context?: ChannelContext;

  constructor(private readonly options: SlackAdapterOptions) {
    const { settings } = options;
    if (!settings.appToken) {
      this.receiver = new FastifyReceiver({
        signingSecret: settings.signingSecret!,
        now: options.core.now,
        logger: options.logger,
        onUnparsable: (rawBody, error) => this.keepUnparsable(rawBody, error),
      });
    }
  }

  /** Keeps a Slack payload that cannot be handled, raw, with the reason. */
  private async keepUnparsable(raw: string, error: string): Promise<void> {
    await this.context?.recordFailedInput({
      channel: 'slack',
      raw: { contentType: 'text/plain', data: raw },
      error,
    });
  }

  /** HTTP mode: `POST /slack/events` on the app's server (events, commands, interactivity). */
  registerRoutes(server: FastifyInstance): void {
    this.receiver?.register(server);
  }

  /** The thread mirror's passes failing now (cards and threads not kept up to date), for `/healthz`. */
  backgroundFailure(): BackgroundFailure | undefined {
    const failure = this.loop?.failure;
    return (
      failure && {
        since: failure.since,
        reason: `Slack thread sync: ${failure.reason}`,
        attempts: failure.passes,
      }
    );
  }

  /** The mode in use, for the start-up log. */
  get mode(): 'socket' | 'http' {
    return this.receiver ? 'http' : 'socket';
  }

  async start(context: ChannelContext): Promise<void> {
    const { settings, core, logger } = this.options;
    this.context = context;
    const clientOptions = {
      slackApiUrl: settings.apiUrl,
      // A call that fails is retried by the mirror's next pass (in order), and a 429 waits for its
      // Retry-After in the poster: the client itself neither retries nor sleeps.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      // Well below the outbox's lease, so a send to a customer on Slack never outlives it.
      timeout: settings.sendTimeoutMs ?? 60_000,
    };
    const app = new BoltApp({
      token: settings.botToken,
      logger: boltLogger(logger),
      clientOptions,
      deferInitialization: true,
      receiver:
        this.receiver ??
        checkedSocketModeReceiver({
          appToken: settings.appToken!,
          apiUrl: settings.apiUrl,
          boltLogger: boltLogger(logger),
          logger,
          onUnparsable: (raw, error) => this.keepUnparsable(raw, error),
        }),
    });
    this.app = app;
    await app.init();
    this.poster = new SlackPoster(app.client, this.options.paceMs ?? DEFAULT_PACE_MS);
    const mirror = new SlackMirror({
      core,
      poster: this.poster,
      channelId: settings.channelId,
      timeZone: this.options.timeZone,
      logger,
      relayFiles: slackRelayFiles({
        settings,
        core,
        poster: this.poster,
        maxFileBytes: this.options.maxFileBytes,
        limitsOf: (channel) =>
          channel === 'slack' ? this.attachmentLimits : this.options.attachmentLimitsOf?.(channel),
      }),
    });
    this.loop = new MirrorLoop(mirror, this.options.pollMs, logger, core.now);
    registerListeners(app, {
      core,
      context,
      settings,
      poster: this.poster,
      logger,
      maxFileBytes: this.options.maxFileBytes,
      nameOf: (userId) => this.nameOf(userId),
      isTechnician: (userId) => isTechnicianSlackUser(core, userId, settings.technicians),
      wake: () => this.loop?.wake(),
    });
    registerCustomerButtons(app, { core, poster: this.poster, logger });
    app.error(async (error) => {
      logger.warn({ reason: errorSummary(error) }, 'slack: listener error');
    });
    await app.start();
    core.onDeliverySettled?.add(this.onSettled);
    this.handOver = handOverInSlack({ core, poster: this.poster, logger });
    if (this.handOver && core.credentialHandOver instanceof CredentialVault) {
      core.credentialHandOver.onHeld.add(this.handOver);
    }
    this.loop.start();
    this.pruneTimer = setInterval(() => {
      pruneSeenEvents(core.database, new Date(core.now().getTime() - SEEN_EVENTS_KEEP_MS)).catch(() => {});
    }, 3600_000);
    this.pruneTimer.unref();
    logger.info({ mode: this.mode }, 'slack: connected');
  }

  async stop(): Promise<void> {
    this.options.core.onDeliverySettled?.delete(this.onSettled);
    const vault = this.options.core.credentialHandOver;
    if (this.handOver && vault instanceof CredentialVault) vault.onHeld.delete(this.handOver);
    clearInterval(this.pruneTimer);
    await this.loop?.stop();
    await this.app?.stop();
  }

  /** A reply to a customer who is a Slack user: in their DM, in the ticket's DM thread. */
  async send(message: OutboundMessage): Promise<SendResult> {
    if (!this.poster) throw new DeliveryError('transient', 'the Slack channel is not running');
    const poster = this.poster;
    const channel = message.threading.conversationId ?? message.recipient.address;
    const threadTs = (message.threading.inReplyTo ?? (await this.ticketThread(message, channel)))?.split(
      ':',
    )[1];
    const parts = splitText(message.text, MESSAGE_TEXT_LIMIT);
    const texts = parts.length ? parts : ['…'];
    const files = (message.attachments ?? []).filter((file) => file.content);
    // What a failed attempt already posted (in memory: after a crash a part may go twice).
    const progress = this.partsSent.get(message.deliveryId) ?? { ids: [], channel, done: 0 };
    const ids = progress.ids;
    try {
      if (message.editOf) {
        // A technician edited a delivered reply: replace its (first part's) text.
        const [editChannel, ts] = message.editOf.split(':');
        await poster.post(editChannel!, () =>
          poster.client.chat.update({
            channel: editChannel!,
            ts: ts!,
            text: escapeChatMarkup(parts[0] ?? '…'),
          }),
        );
        return { externalId: message.editOf };
      }
      // The text first (its first part is what an edit changes), then each file in the thread.
      for (; progress.done < texts.length + files.length; progress.done += 1) {
        const index = progress.done;
        if (index < texts.length) {
          // Buttons (consent SÌ / NO / STOP) go under the last text part.
          const blocks =
            index === texts.length - 1
              ? customerButtonBlocks(escapeChatMarkup(texts[index]!), message.buttons)
              : undefined;
          const posted = await poster.post(channel, () =>
            poster.client.chat.postMessage({
              channel,
              thread_ts: threadTs,
              text: escapeChatMarkup(texts[index]!),
              unfurl_links: false,
              ...(blocks ? { blocks } : {}),
            }),
          );
          progress.channel = posted.channel ?? channel;
          ids.push(`${progress.channel}:${posted.ts}`);
        } else {
          const file = files[index - texts.length]!;
          await poster.post(progress.channel, () =>
            poster.client.files.uploadV2({
              channel_id: progress.channel,
              ...((threadTs ? { thread_ts: threadTs } : {}) as { thread_ts: string }),
              file: Buffer.from(file.content!),
              filename: file.filename,
            }),
          );
        }
        if (texts.length + files.length > 1) this.partsSent.set(message.deliveryId, progress);
      }
      this.partsSent.delete(message.deliveryId);
    } catch (error) {
      if (this.partsSent.size > 1000) this.partsSent.delete(this.partsSent.keys().next().value!);
      const retryAfter = retryAfterSeconds(error);
      if (retryAfter !== undefined) {
        throw new DeliveryError('transient', 'Slack rate limit', {
          retryAfterMs: retryAfter * 1000,
          cause: error,
        });
      }
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code && PERMANENT_ERRORS.has(code)) {
        this.partsSent.delete(message.deliveryId);
        throw new DeliveryError('permanent', `Slack: ${code}`, { cause: error });
      }
      throw new DeliveryError('transient', `Slack: ${code ?? errorSummary(error)}`, { cause: error });
    }
    return { externalId: ids[0]!, extraExternalIds: ids.length > 1 ? ids.slice(1) : undefined };
  }

  /**
   * A ticket of a Slack customer lives in the DM thread of the message that opened it: replies
   * that answer nothing in particular (a technician's) go there too.
   */
  private async ticketThread(message: OutboundMessage, channel: string): Promise<string | undefined> {
    if (!message.ticket) return undefined;
    return slackDmThreadOfTicket(this.options.core.database.sql, {
      ticketNumber: message.ticket.number,
      channel,
    });
  }

  /**
   * A technician's name for tickets and time entries: their staff account's name (#25), else the
   * Slack profile's display name or real name (cached).
   */
  private async nameOf(userId: string): Promise<string> {
    const staff = await staffOfSlackUser(this.options.core, userId);
    if (staff) return staff.name;
    const cached = this.names.get(userId);
    if (cached) return cached;
    try {
      const info = await this.poster!.client.users.info({ user: userId });
      const u = info.user;
      const name = u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || userId;
      this.names.set(userId, name);
      return name;
    } catch {
      return userId;
    }
  }
}
