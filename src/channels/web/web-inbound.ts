import type { InboundAttachment, InboundMessage } from '../../core/channel.js';

/** A message the customer wrote in the portal: a new ticket (no `ticketNumber`) or a reply. */
export interface PortalPost {
  /** The signed-in account's login: the address of the customer's `web` identity. */
  login: string;
  displayName?: string;
  /** A random value rendered in the form: submitting the same form twice stores one message. */
  formNonce: string;
  ticketNumber?: number;
  subject?: string;
  text: string;
  attachments: InboundAttachment[];
  receivedAt: Date;
}

/**
 * The portal post as the core's normalised inbound message (`channel: 'web'`). The raw input kept
 * is the post's fields as JSON (files are kept as attachments, not twice).
 */
export function toInboundMessage(post: PortalPost): InboundMessage {
  const text = post.text.replace(/\r\n/g, '\n').trim();
  return {
    channel: 'web',
    externalId: `${post.login}:${post.formNonce}`,
    sender: { kind: 'web', address: post.login, displayName: post.displayName },
    subject: post.subject?.trim() || undefined,
    newText: text,
    fullText: text,
    attachments: post.attachments,
    thread: post.ticketNumber === undefined ? { forceNew: true } : { ticketNumber: post.ticketNumber },
    receivedAt: post.receivedAt,
    raw: {
      contentType: 'application/json',
      data: JSON.stringify({
        ticketNumber: post.ticketNumber,
        subject: post.subject,
        text: post.text,
        attachments: post.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
        })),
      }),
    },
  };
}
