/**
 * The words of a Telegram message as we store them: link URLs that live only in `text_link`
 * entities written out after their text, and who originally wrote a forwarded message. Pure.
 */
import type { Chat, Message, MessageEntity, User } from 'grammy/types';

/**
 * `text` with the URL of each `text_link` entity written after its text: `guida` linked to
 * `https://…` becomes `guida (https://…)`. A link whose text already is its URL is left alone.
 * Entity offsets are UTF-16 code units, as JavaScript strings count them. Entities that do not
 * fit the text (a malformed update) are skipped.
 */
export function withLinkUrls(text: string, entities: MessageEntity[] | undefined): string {
  const links = (entities ?? [])
    .filter(
      (e): e is MessageEntity.TextLinkMessageEntity => e.type === 'text_link' && typeof e.url === 'string',
    )
    .filter((e) => e.offset >= 0 && e.length > 0 && e.offset + e.length <= text.length)
    .filter((e) => text.slice(e.offset, e.offset + e.length).trim() !== e.url.trim())
    // From the end, so earlier offsets stay valid; a stable sort keeps nested links in order.
    .sort((a, b) => b.offset + b.length - (a.offset + a.length));
  let out = text;
  for (const link of links) {
    const end = link.offset + link.length;
    out = `${out.slice(0, end)} (${link.url})${out.slice(end)}`;
  }
  return out;
}

function userName(user: Pick<User, 'first_name' | 'last_name' | 'username'> | undefined): string {
  if (!user) return 'Telegram';
  const name = [user.first_name, user.last_name]
    .filter((p) => p?.trim())
    .join(' ')
    .trim();
  if (user.username) return name ? `${name} (@${user.username})` : `@${user.username}`;
  return name || 'Telegram';
}

function chatName(chat: Chat | undefined, signature?: string): string {
  if (!chat) return signature?.trim() || 'Telegram';
  const title =
    'title' in chat && chat.title ? chat.title : 'first_name' in chat ? (chat.first_name ?? '') : '';
  const username = 'username' in chat && chat.username ? `@${chat.username}` : '';
  let name = title && username ? `${title} (${username})` : title || username || `chat ${chat.id}`;
  if (signature?.trim()) name = `${signature.trim()}, ${name}`;
  return name;
}

/** The fields of forwarded messages before Bot API 7.0, which older or self-hosted Bot API
 * servers still send. */
interface LegacyForward {
  forward_from?: User;
  forward_from_chat?: Chat;
  forward_from_message_id?: number;
  forward_signature?: string;
  forward_sender_name?: string;
  forward_date?: number;
}

/**
 * Who originally wrote a forwarded message (`forward_origin` of Bot API 7+, else the older
 * `forward_from*` fields), as a name with the `@username` when there is one, or undefined when the
 * message is not forwarded. A channel post names the channel (and the post's signature).
 */
export function forwardedFrom(message: Message): string | undefined {
  const origin = message.forward_origin;
  if (origin) {
    switch (origin.type) {
      case 'user':
        return userName(origin.sender_user);
      case 'hidden_user':
        return origin.sender_user_name?.trim() || 'Telegram';
      case 'chat':
        return chatName(origin.sender_chat, origin.author_signature);
      case 'channel':
        return chatName(origin.chat, origin.author_signature);
      default:
        return 'Telegram';
    }
  }
  const legacy = message as Message & LegacyForward;
  if (legacy.forward_from) return userName(legacy.forward_from);
  if (legacy.forward_from_chat) return chatName(legacy.forward_from_chat, legacy.forward_signature);
  if (legacy.forward_sender_name?.trim()) return legacy.forward_sender_name.trim();
  if (legacy.forward_date !== undefined) return 'Telegram';
  return undefined;
}
