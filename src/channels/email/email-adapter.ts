import type { EmailSettings } from '../../config.js';
import type {
  AttachmentLimits,
  ChannelAdapter,
  ChannelContext,
  OutboundMessage,
  SendResult,
} from '../../core/channel.js';
import type { Logger } from '../../logger.js';
import { ImapIngester } from './imap-ingester.js';
import type { ImapIngesterSettings } from './imap-settings.js';
import { SmtpSender } from './smtp-sender.js';

/** The email channel: IMAP in (IDLE, checkpointed), SMTP out. */
export class EmailAdapter implements ChannelAdapter {
  readonly name = 'email' as const;
  readonly ingester: ImapIngester;
  private readonly sender: SmtpSender;

  constructor(settings: EmailSettings, logger: Logger, tuning: Partial<ImapIngesterSettings> = {}) {
    this.ingester = new ImapIngester(
      {
        ...settings.imap,
        processedMailbox: settings.processedMailbox,
        ownAddress: settings.from,
        ownLists: settings.ownLists,
        ackMaxAgeHours: settings.ackMaxAgeHours,
        importSince: settings.importSince,
        trustedAuthservIds: settings.trustedAuthservIds,
        maxAttachmentBytes: settings.maxAttachmentBytes,
        maxMailBytes: settings.maxMailBytes,
        maxRawInputBytes: settings.maxRawInputBytes,
        parseTimeoutMs: settings.parseTimeoutMs,
        ...tuning,
      },
      logger.child({ channel: 'email' }),
    );
    this.sender = new SmtpSender({
      ...settings.smtp,
      from: settings.from,
      fromName: settings.fromName,
      maxMailBytes: settings.maxMailBytes,
    });
  }

  get attachmentLimits(): AttachmentLimits {
    return this.sender.attachmentLimits;
  }

  start(context: ChannelContext): Promise<void> {
    return this.ingester.start(context);
  }

  async stop(): Promise<void> {
    await this.ingester.stop();
    this.sender.close();
  }

  send(message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(message);
  }
}
