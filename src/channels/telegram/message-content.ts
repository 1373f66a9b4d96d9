/**
 * Telegram message kinds that are not text or files: which ones we keep as readable text
 * (location, venue, contact, poll, sticker, story, checklist), which ones make no sense on a
 * ticket (the customer is told in one line), and which are service messages (ignored, logged).
 * Pure. The stored text is in the shop's language (`LOCALE`): technicians read it.
 */
import type { Message } from 'grammy/types';
import type { Locale } from '../../templates/format.js';
import { withLinkUrls } from './message-text.js';

/** Kinds a customer may send that cannot become a ticket message: they are told so. */
export const UNSUPPORTED_KINDS = [
  'dice',
  'game',
  'invoice',
  'paid_media',
  'giveaway',
  'giveaway_winners',
  'passport_data',
  'rich_message',
] as const;

/** Service messages: events in the chat, not something a person wrote. Ignored and logged. */
const SERVICE_FIELDS = new Set([
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'pinned_message',
  'successful_payment',
  'refunded_payment',
  'users_shared',
  'chat_shared',
  'connected_website',
  'write_access_allowed',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'checklist_tasks_done',
  'checklist_tasks_added',
  'community_chat_added',
  'community_chat_removed',
  'community_chat_joined',
  'suggested_post_info',
  'suggested_post_approved',
  'suggested_post_approval_failed',
  'suggested_post_declined',
  'suggested_post_paid',
  'suggested_post_refunded',
  'chat_owner_left',
  'chat_owner_changed',
  'managed_bot_created',
  'poll_option_added',
  'poll_option_deleted',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'gift',
  'unique_gift',
  'gift_upgrade_sent',
  'paid_message_price_changed',
  'direct_message_price_changed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
  'web_app_data',
]);

/** Fields any message may carry besides its content (Bot API 9 and the older forward fields). */
const COMMON_FIELDS = new Set([
  'message_id',
  'message_thread_id',
  'from',
  'sender_chat',
  'sender_boost_count',
  'sender_business_bot',
  'sender_tag',
  'receiver_user',
  'ephemeral_message_id',
  'guest_query_id',
  'guest_bot_caller_user',
  'guest_bot_caller_chat',
  'date',
  'edit_date',
  'chat',
  'business_connection_id',
  'is_topic_message',
  'direct_messages_topic',
  'forward_origin',
  'forward_from',
  'forward_from_chat',
  'forward_from_message_id',
  'forward_signature',
  'forward_sender_name',
  'forward_date',
  'is_automatic_forward',
  'reply_to_message',
  'reply_to_checklist_task_id',
  'reply_to_poll_option_id',
  'external_reply',
  'quote',
  'reply_to_story',
  'via_bot',
  'has_protected_content',
  'is_from_offline',
  'is_paid_post',
  'paid_star_count',
  'media_group_id',
  'has_media_spoiler',
  'author_signature',
  'effect_id',
  'reply_markup',
  'link_preview_options',
  'show_caption_above_media',
  'text',
  'entities',
  'caption',
  'caption_entities',
]);

const LABELS = {
  it: {
    location: 'Posizione',
    live: 'Posizione in tempo reale',
    venue: 'Luogo',
    contact: 'Contatto',
    telegramUser: 'utente Telegram',
    poll: 'Sondaggio',
    quiz: 'Quiz',
    story: 'Storia',
    checklist: 'Lista di controllo',
    accuracy: 'precisione',
  },
  en: {
    location: 'Location',
    live: 'Live location',
    venue: 'Venue',
    contact: 'Contact',
    telegramUser: 'Telegram user',
    poll: 'Poll',
    quiz: 'Quiz',
    story: 'Story',
    checklist: 'Checklist',
    accuracy: 'accuracy',
  },
} as const;

/** `45.464200, 9.190000 https://www.openstreetmap.org/?mlat=…&mlon=…#map=17/…/…`. */
export function coordinatesWithMap(latitude: number, longitude: number): string {
  // Number(): a malformed update may carry strings; a value that is no number shows as NaN.
  const lat = Number(latitude).toFixed(6);
  const lon = Number(longitude).toFixed(6);
  return `${lat}, ${lon} https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}

/** The readable text of a location, venue, contact, poll, sticker, story or checklist message,
 * or undefined for any other kind. */
export function contentText(message: Message, locale: Locale): { text: string; full?: string } | undefined {
  const l = LABELS[locale];
  const { venue, location, contact, poll, sticker, story, checklist } = message;
  if (venue) {
    const place = [venue.title, venue.address].filter((p) => p?.trim()).join(', ');
    const where = coordinatesWithMap(venue.location?.latitude, venue.location?.longitude);
    return { text: `${l.venue}: ${place}\n${where}` };
  }
  if (location) {
    const label = location.live_period ? l.live : l.location;
    const accuracy = location.horizontal_accuracy
      ? ` (${l.accuracy} ${Math.round(location.horizontal_accuracy)} m)`
      : '';
    return { text: `${label}: ${coordinatesWithMap(location.latitude, location.longitude)}${accuracy}` };
  }
  if (contact) {
    const name = [contact.first_name, contact.last_name].filter((p) => p?.trim()).join(' ');
    const user = contact.user_id ? ` (${l.telegramUser} ${contact.user_id})` : '';
    const text = `${l.contact}: ${name}, ${contact.phone_number}${user}`;
    return contact.vcard?.trim() ? { text, full: `${text}\n\n${contact.vcard.trim()}` } : { text };
  }
  if (poll) {
    const options = (poll.options ?? []).map(
      (o) => `- ${withLinkUrls(String(o.text ?? ''), o.text_entities)}`,
    );
    const question = withLinkUrls(String(poll.question ?? ''), poll.question_entities);
    const head = `${poll.type === 'quiz' ? l.quiz : l.poll}: ${question}`;
    return { text: [head, ...options].join('\n') };
  }
  if (sticker) return { text: `[Sticker${sticker.emoji ? ` ${sticker.emoji}` : ''}]` };
  if (story) {
    const chat: Partial<{ id: number; title: string; username: string }> = story.chat ?? {};
    const username = chat.username;
    const title = chat.title ? chat.title : username ? `@${username}` : `chat ${chat.id}`;
    const link = username ? ` https://t.me/${username}/s/${story.id}` : '';
    return { text: `${l.story}: ${title}${link}` };
  }
  if (checklist) {
    const tasks = (checklist.tasks ?? []).map(
      (t) =>
        `${t.completed_by_user || t.completed_by_chat ? '[x]' : '[ ]'} ${withLinkUrls(t.text, t.text_entities)}`,
    );
    return {
      text: [`${l.checklist}: ${withLinkUrls(checklist.title, checklist.title_entities)}`, ...tasks].join(
        '\n',
      ),
    };
  }
  return undefined;
}

/** What a message is when it is neither text, files nor readable content: a kind we tell the
 * customer we cannot use, a service message, or (a field this code does not know yet) unknown. */
export function otherKind(
  message: Message,
): { type: 'unsupported'; kind: string } | { type: 'service'; kind: string } | { type: 'empty' } {
  const record = message as unknown as Record<string, unknown>;
  for (const kind of UNSUPPORTED_KINDS) {
    if (record[kind] !== undefined) return { type: 'unsupported', kind };
  }
  const fields = Object.keys(record).filter((key) => record[key] !== undefined && !COMMON_FIELDS.has(key));
  const service = fields.find((key) => SERVICE_FIELDS.has(key));
  if (service) return { type: 'service', kind: service };
  // A kind added to the Bot API after this code: not silently dropped, the sender is told.
  if (fields[0]) return { type: 'unsupported', kind: fields[0] };
  return { type: 'empty' };
}
