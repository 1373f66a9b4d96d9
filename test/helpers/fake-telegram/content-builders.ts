/**
 * Update builders for the message kinds beyond text and the common files: location, venue,
 * contact, poll, dice, game, invoice, story, animation, audio, video note, and albums. Shapes
 * follow the Bot API (an animation also carries `document`, as Telegram sends it for old clients;
 * album items share a `media_group_id`). `FakeTelegramApi` extends this class.
 */
import type { Message, Update } from 'grammy/types';
import type { FakeTelegramState } from './fake-state.js';
import { buildMessage, caption, fileFor, messageUpdate } from './inbound-message.js';
import type { CaptionOptions, FileOptions, SenderOptions } from './types.js';
import { TelegramUpdateBuilders } from './update-builders.js';

/** One item of an album built by `albumMessages`. */
export interface AlbumItem extends FileOptions {
  kind: 'photo' | 'video' | 'document';
  caption?: string;
  fileName?: string;
}

export class TelegramContentBuilders extends TelegramUpdateBuilders {
  protected constructor(state: FakeTelegramState) {
    super(state);
  }

  /** A message with any content fields (for kinds without a builder of their own). */
  contentMessage(options: SenderOptions & { content: Partial<Message> }): Update {
    return messageUpdate(this.state, buildMessage(this.state, options, options.content));
  }

  locationMessage(
    options: SenderOptions & { latitude: number; longitude: number; accuracy?: number; livePeriod?: number },
  ): Update {
    const location: Message['location'] = { latitude: options.latitude, longitude: options.longitude };
    if (options.accuracy !== undefined) location.horizontal_accuracy = options.accuracy;
    if (options.livePeriod !== undefined) location.live_period = options.livePeriod;
    return this.contentMessage({ ...options, content: { location } });
  }

  /** A venue: Telegram sends `location` too. */
  venueMessage(
    options: SenderOptions & { latitude: number; longitude: number; title: string; address: string },
  ): Update {
    const location = { latitude: options.latitude, longitude: options.longitude };
    return this.contentMessage({
      ...options,
      content: { location, venue: { location, title: options.title, address: options.address } },
    });
  }

  contactMessage(
    options: SenderOptions & {
      phone: string;
      contactFirstName: string;
      contactLastName?: string;
      userId?: number;
      vcard?: string;
    },
  ): Update {
    const contact: Message['contact'] = { phone_number: options.phone, first_name: options.contactFirstName };
    if (options.contactLastName) contact.last_name = options.contactLastName;
    if (options.userId !== undefined) contact.user_id = options.userId;
    if (options.vcard) contact.vcard = options.vcard;
    return this.contentMessage({ ...options, content: { contact } });
  }

  pollMessage(options: SenderOptions & { question: string; options: string[]; quiz?: boolean }): Update {
    const id = String(5_000_000_000_000 + this.state.nextCounter());
    const poll = {
      id,
      question: options.question,
      options: options.options.map((text, i) => ({ persistent_id: `${id}-${i}`, text, voter_count: 0 })),
      total_voter_count: 0,
      is_closed: false,
      is_anonymous: true,
      type: options.quiz ? 'quiz' : 'regular',
      allows_multiple_answers: false,
      allows_revoting: true,
      members_only: false,
      ...(options.quiz ? { correct_option_ids: [0] } : {}),
    } as Message['poll'];
    return this.contentMessage({ ...options, content: { poll } });
  }

  diceMessage(options: SenderOptions & { emoji?: string; value?: number }): Update {
    return this.contentMessage({
      ...options,
      content: { dice: { emoji: options.emoji ?? '🎲', value: options.value ?? 4 } },
    });
  }

  /** A game message (a user can forward one from a game bot). */
  gameMessage(options: SenderOptions & { title: string }): Update {
    const file = fileFor(this.state, { size: 30_000 }, 'photos', 'jpg');
    const game = {
      title: options.title,
      description: 'Un gioco',
      photo: [{ file_id: file.fileId, file_unique_id: file.fileUniqueId, width: 640, height: 360 }],
    } as Message['game'];
    return this.contentMessage({ ...options, content: { game } });
  }

  invoiceMessage(options: SenderOptions & { title: string; totalAmount: number }): Update {
    const invoice = {
      title: options.title,
      description: 'Abbonamento',
      start_parameter: 'abbonamento',
      currency: 'EUR',
      total_amount: options.totalAmount,
    };
    return this.contentMessage({ ...options, content: { invoice } });
  }

  /** A forwarded story of a public channel (Telegram sends only the chat and the story id). */
  storyMessage(
    options: SenderOptions & { channelUsername: string; channelTitle: string; storyId: number },
  ): Update {
    const chat = {
      id: -1_001_000_000_000 - this.state.nextCounter(),
      type: 'channel' as const,
      title: options.channelTitle,
      username: options.channelUsername,
    };
    return this.contentMessage({ ...options, content: { story: { chat, id: options.storyId } } });
  }

  /** A GIF: `animation`, and `document` with the same file, as Telegram sends it. */
  animationMessage(options: SenderOptions & FileOptions & CaptionOptions & { fileName?: string }): Update {
    const file = fileFor(this.state, options, 'animations', 'mp4');
    const fileName = options.fileName ?? 'animation.gif.mp4';
    const media = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.size };
    const content: Partial<Message> = {
      animation: {
        ...media,
        width: 320,
        height: 240,
        duration: 2,
        file_name: fileName,
        mime_type: 'video/mp4',
      },
      document: { ...media, file_name: fileName, mime_type: 'video/mp4' },
      ...caption(options.caption, options),
    };
    return this.contentMessage({ ...options, content });
  }

  audioMessage(options: SenderOptions & FileOptions & CaptionOptions & { fileName?: string }): Update {
    const file = fileFor(this.state, options, 'music', 'mp3');
    const audio = {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.size,
      duration: 61,
      mime_type: 'audio/mpeg',
      ...(options.fileName ? { file_name: options.fileName } : {}),
    };
    return this.contentMessage({ ...options, content: { audio, ...caption(options.caption, options) } });
  }

  videoNoteMessage(options: SenderOptions & FileOptions): Update {
    const file = fileFor(this.state, options, 'video_notes', 'mp4');
    const videoNote = {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.size,
      length: 240,
      duration: 5,
    };
    return this.contentMessage({ ...options, content: { video_note: videoNote } });
  }

  /**
   * The updates of one album: one message per item, consecutive message ids, the same
   * `media_group_id`, as Telegram delivers them (queue them together or apart).
   */
  albumMessages(options: SenderOptions & { mediaGroupId?: string; items: AlbumItem[] }): Update[] {
    const mediaGroupId = options.mediaGroupId ?? String(13_000_000_000_000_000 + this.state.nextCounter());
    return options.items.map((item) => {
      const sender = { ...options, messageId: undefined };
      const extra = { caption: item.caption, mediaGroupId };
      if (item.kind === 'photo') return this.photoMessage({ ...sender, ...item, ...extra });
      if (item.kind === 'document') {
        return this.documentMessage({ ...sender, ...item, ...extra, fileName: item.fileName ?? 'file.pdf' });
      }
      const file = fileFor(this.state, item, 'videos', 'mp4');
      const video = {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_size: file.size,
        width: 1280,
        height: 720,
        duration: 4,
        mime_type: 'video/mp4',
      };
      return this.contentMessage({ ...sender, content: { video, ...caption(item.caption, extra) } });
    });
  }
}
