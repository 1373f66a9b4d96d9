import net from 'node:net';
import type nodemailer from 'nodemailer';
import type { AttachmentLimits, OutboundMessage, SendResult } from '../../core/channel.js';
import { DeliveryError } from '../../core/errors.js';
import { composeMail, mailAttachmentLimits } from './compose-mail.js';

export interface SmtpSenderSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  fromName?: string;
  /** Connection, greeting and socket-inactivity timeout (ms); default 60 s. */
  sendTimeoutMs?: number;
  /** Largest mail we send (bytes, `MAX_MAIL_MB`); files beyond it are left out. Default 25 MB. */
  maxMailBytes?: number;
}

/** Connection-level failures worth retrying (nodemailer error codes). */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNRESET',
  'EAUTH',
  'ETLS',
]);

/**
 * Classifies an SMTP failure: 4xx and connection errors are transient (retried with back-off);
 * 5xx is permanent and keeps the server's own words as the reason. A failed login is transient
 * so that fixing the password later still delivers the queue.
 */
export function classifySmtpError(error: unknown): DeliveryError {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  const reason = (e.response ?? e.message ?? String(error)).trim();
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.code !== 'EAUTH') {
    return new DeliveryError('permanent', reason, { cause: error });
  }
  if (typeof e.responseCode === 'number' || (e.code && TRANSIENT_CODES.has(e.code))) {
    return new DeliveryError('transient', reason, { cause: error });
  }
  return new DeliveryError('transient', reason, { cause: error });
}

/**
 * Sends composed mail over SMTP through a small connection pool. nodemailer is loaded, and the
 * pool made, on the first mail sent: an idle server does not hold it (~1.8 MB of heap). Why:
 * docs/performance.md#memory
 */
export class SmtpSender {
  private transport?: Promise<nodemailer.Transporter>;
  /** The pool once made, for {@link close}. */
  private made?: nodemailer.Transporter;
  private closed = false;
  private readonly domain: string;
  readonly attachmentLimits: AttachmentLimits;

  constructor(private readonly settings: SmtpSenderSettings) {
    this.attachmentLimits = mailAttachmentLimits(settings.maxMailBytes ?? 25 * 1024 * 1024);
    this.domain = settings.from.split('@')[1] ?? 'localhost';
  }

  private pool(): Promise<nodemailer.Transporter> {
    this.transport ??= import('nodemailer').then(({ default: mailer }) => {
      this.made = this.createTransport(mailer);
      if (this.closed) this.made.close();
      return this.made;
    });
    return this.transport;
  }

  private createTransport(mailer: typeof nodemailer): nodemailer.Transporter {
    const settings = this.settings;
    return mailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
      pool: true,
      maxConnections: 3,
      // Nagle's algorithm holds the last small write of each mail until the server's delayed ACK
      // (40 ms on Linux): without TCP_NODELAY a connection sends about 20 mails a second. Implicit
      // TLS (port 465) keeps nodemailer's own socket.
      getSocket: settings.secure
        ? undefined
        : (_options, callback) => {
            // Handed over before it connects: a connection error then reaches nodemailer as a
            // socket error, which frees the pool slot. Reported through `callback`, it leaked
            // the slot, and after three refused connections every later send waited forever.
            const socket = net.connect({ host: settings.host, port: settings.port });
            socket.setNoDelay(true);
            callback(null, { connection: socket });
          },
      // Well below the delivery lease (config checks it), so no send outlives its claim.
      connectionTimeout: Math.min(20_000, settings.sendTimeoutMs ?? 20_000),
      greetingTimeout: Math.min(20_000, settings.sendTimeoutMs ?? 20_000),
      socketTimeout: settings.sendTimeoutMs ?? 60_000,
    });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const mail = composeMail(message, {
      from: this.settings.from,
      fromName: this.settings.fromName,
      domain: this.domain,
    });
    try {
      const transport = await this.pool();
      const info = await transport.sendMail(mail);
      return { externalId: info.messageId };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  close(): void {
    this.closed = true;
    this.made?.close();
  }
}
