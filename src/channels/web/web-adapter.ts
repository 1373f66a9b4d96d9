import type { FastifyInstance } from 'fastify';
import type { WebChannelSettings } from '../../config.js';
import type { ChannelAdapter, ChannelContext, OutboundMessage, SendResult } from '../../core/channel.js';
import type { CoreContext } from '../../core/core-context.js';
import { DeliveryError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { ticketSubject } from '../../templates/customer-messages.js';
import { issueFirstAdminLink } from '../../web/staff/first-admin.js';
import { STAFF_LINK_HOURS } from '../../web/staff/staff-accounts.js';
import { sealClearTotpSecrets } from '../../web/staff/staff-totp.js';
import { TotpSecretBox } from '../../web/staff/totp-secret-box.js';
import { registerWebUi } from '../../web/web-ui.js';

/**
 * The web channel (`channel: 'web'`): the portal's posts reach the core through the same ingest as
 * mail and chats (`web-inbound.ts`), and what the core sends to a `web` identity is shown in the
 * portal (it reads the store) and mailed as a copy to the account's address, so the customer hears
 * of it without visiting. Its HTTP side is the registration form and the portal (`src/web/`).
 */
export class WebAdapter implements ChannelAdapter {
  readonly name = 'web' as const;
  private context?: ChannelContext;
  /** The staff TOTP secrets' key, read (or created) once, at first need. */
  private readonly totpBox: TotpSecretBox;

  constructor(
    private readonly deps: {
      core: CoreContext;
      settings: WebChannelSettings;
      logger: Logger;
      /** The email channel, which sends the copy; absent: the message is only shown in the portal. */
      email: () => ChannelAdapter | undefined;
      /** A chat channel's deep link for a link code (Telegram), when that channel is on. */
      linkFor: (kind: 'telegram', code: string) => string | undefined;
      /** Whether a chat channel is on (Slack: the portal shows its link code). */
      chatOn?: (kind: 'slack') => boolean;
    },
  ) {
    this.totpBox = new TotpSecretBox(deps.settings.totpKey);
  }

  async start(context: ChannelContext): Promise<void> {
    this.context = context;
    // TOTP secrets an earlier version stored in clear are encrypted now (docs/staff-totp.md).
    const sealed = await sealClearTotpSecrets(this.deps.core, this.totpBox);
    if (sealed > 0)
      this.deps.logger.info({ accounts: sealed }, 'staff TOTP secrets stored in clear: encrypted');
    // No staff account yet (#25): a one-time link to create the first admin, valid 24 hours.
    const link = await issueFirstAdminLink(this.deps.core);
    if (link) {
      this.deps.logger.warn(
        `No staff account yet: open ${link} within ${STAFF_LINK_HOURS} hours to create the first admin (or run npm run admin:create -- EMAIL with the app stopped)`,
      );
    }
  }

  async stop(): Promise<void> {}

  registerRoutes(server: FastifyInstance): void {
    server.register(async (scope) =>
      registerWebUi(scope, {
        core: this.deps.core,
        settings: this.deps.settings,
        linkFor: this.deps.linkFor,
        chatOn: this.deps.chatOn,
        totpBox: this.totpBox,
        ingest: (message) => {
          if (!this.context) throw new DeliveryError('transient', 'the web channel is not started yet');
          return this.context.ingest(message);
        },
      }),
    );
  }

  /** Shown in the portal from the store; a copy goes by mail to the login address (the web identity's). */
  async send(message: OutboundMessage): Promise<SendResult> {
    const email = this.deps.email();
    if (!email) return { externalId: `web:${message.deliveryId}` };
    const subject =
      message.subject ??
      (message.ticket ? ticketSubject(message.ticket.number, message.ticket.subject) : undefined);
    const sent = await email.send({
      ...message,
      channel: 'email',
      recipient: {
        kind: 'email',
        address: message.recipient.address,
        displayName: message.recipient.displayName,
      },
      subject,
      // The mail gets a Message-ID of its own; the reply token keeps a mailed answer on the ticket.
      threading: { replyToken: message.threading.replyToken },
    });
    return { externalId: sent.externalId };
  }
}
