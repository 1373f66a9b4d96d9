/**
 * Sending to Telegram: the core's outbound messages (rendered by `renderOutbound`, errors mapped
 * to `DeliveryError`) and the bot's direct answers to commands.
 */
import { type Api, GrammyError, InputFile } from 'grammy';
import type {
  AttachmentLimits,
  OutboundAttachment,
  OutboundMessage,
  SendResult,
} from '../../core/channel.js';
import { DeliveryError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { escapeChatMarkup } from '../../templates/format.js';
import { formatExternalId, renderOutbound, splitText, tryParseExternalId } from './format-message.js';
import { toDeliveryError } from './telegram-errors.js';
import { sleep } from './telegram-polling.js';

/** Partly sent multi-part messages remembered at most. */
const MAX_PARTIAL_SENDS = 1000;

/** Bot API upload limits: 50 MB a document, 10 MB a photo (core.telegram.org/bots/api#sending-files). */
export const TELEGRAM_ATTACHMENT_LIMITS: AttachmentLimits = { maxFileBytes: 50 * 1024 * 1024 };
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png']);

export interface SenderOptions {
  api: Api;
  logger: Logger;
  /** Aborts waits between retries of direct answers (adapter stopping). */
  signal: () => AbortSignal;
  /** A group became a supergroup (400 with `migrate_to_chat_id`): follow it. */
  onMigrated(from: string, to: string): Promise<void>;
}

export class TelegramSender {
  /** deliveryId → ids of the parts already sent, for a multi-part message that failed half-way. */
  private readonly partsSent = new Map<string, string[]>();

  constructor(private readonly options: SenderOptions) {}

  /**
   * Sends one outbound message, split in parts when long, to `threading.conversationId` or else
   * the recipient's chat. The ids of the parts already sent are remembered per delivery, in
   * memory, so a retry after a failure half-way sends only the rest (after a crash in between, a
   * part may be sent twice: accepted).
   */
  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.editOf) return this.edit(message, message.editOf);
    const parts = renderOutbound(message);
    const files = (message.attachments ?? []).filter((file) => file.content);
    const steps = parts.length + files.length;
    const chatId = message.threading.conversationId ?? message.recipient.address;
    const sent = this.partsSent.get(message.deliveryId) ?? [];
    try {
      // The text first (its first part is the message a later edit changes), then each file.
      for (let index = sent.length; index < steps; index++) {
        const result =
          index < parts.length
            ? await this.sendPart(chatId, parts[index]!)
            : await this.sendFile(chatId, files[index - parts.length]!);
        sent.push(formatExternalId(result.chat.id, result.message_id));
        if (steps > 1) this.remember(message.deliveryId, sent);
      }
    } catch (error) {
      const failure = toDeliveryError(error);
      if (failure.kind === 'permanent') this.partsSent.delete(message.deliveryId);
      const movedTo = failure.options.migrateToConversation;
      if (movedTo) await this.options.onMigrated(chatId, movedTo);
      throw failure;
    }
    this.partsSent.delete(message.deliveryId);
    return { externalId: sent[0]!, extraExternalIds: sent.length > 1 ? sent.slice(1) : undefined };
  }

  private sendPart(chatId: string, part: ReturnType<typeof renderOutbound>[number]) {
    const { text, ...other } = part;
    return this.options.api.sendMessage(chatId, text, other);
  }

  /**
   * One file: a JPEG or PNG up to 10 MB as a photo (shown inline), anything else, or a photo
   * Telegram refuses (its dimensions), as a document.
   */
  private async sendFile(chatId: string, file: OutboundAttachment) {
    const input = () => new InputFile(Buffer.from(file.content!), file.filename);
    if (PHOTO_TYPES.has(file.contentType) && (file.size ?? file.content!.byteLength) <= MAX_PHOTO_BYTES) {
      try {
        return await this.options.api.sendPhoto(chatId, input());
      } catch (error) {
        if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
      }
    }
    return this.options.api.sendDocument(chatId, input());
  }

  /** Replaces the text of a delivered message (its first part, when it was split). */
  private async edit(message: OutboundMessage, externalId: string): Promise<SendResult> {
    const target = tryParseExternalId(externalId);
    if (!target) throw new DeliveryError('permanent', `not a Telegram message id: ${externalId}`);
    const [first] = renderOutbound(message);
    try {
      await this.options.api.editMessageText(target.chatId, target.messageId, first!.text, {
        parse_mode: 'HTML',
      });
    } catch (error) {
      // The same text again (a retry after a lost answer) is already the wanted state.
      if (!/message is not modified/i.test(String((error as Error).message))) throw toDeliveryError(error);
    }
    return { externalId };
  }

  private remember(deliveryId: string, sent: string[]): void {
    this.partsSent.delete(deliveryId);
    this.partsSent.set(deliveryId, sent);
    if (this.partsSent.size > MAX_PARTIAL_SENDS) this.partsSent.delete(this.partsSent.keys().next().value!);
  }

  /**
   * A direct answer to a command, outside the delivery queue: best effort, a few quick retries on
   * 429 / 5xx / network, then logged and dropped (the user can ask again), so a command such as
   * `/start <code>` is never run twice because its answer failed.
   */
  async reply(chatId: string, text: string, replyToMessageId?: number): Promise<void> {
    for (const [index, chunk] of splitText(text).entries()) {
      const other = {
        parse_mode: 'HTML' as const,
        ...(index === 0 && replyToMessageId !== undefined
          ? { reply_parameters: { message_id: replyToMessageId, allow_sending_without_reply: true } }
          : {}),
      };
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.api.sendMessage(chatId, escapeChatMarkup(chunk), other);
          break;
        } catch (error) {
          const failure = toDeliveryError(error);
          const wait = failure.options.retryAfterMs ?? 500 * attempt;
          if (
            failure.kind === 'permanent' ||
            attempt >= 3 ||
            wait > 10_000 ||
            this.options.signal().aborted
          ) {
            this.options.logger.warn(
              { chatId, reason: failure.reason },
              'telegram: could not answer a command',
            );
            return;
          }
          await sleep(wait, this.options.signal());
        }
      }
    }
  }
}
