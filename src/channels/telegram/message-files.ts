/**
 * The files of a Telegram media message (photo, document, animation, voice, audio, video, video
 * note, live photo), with the filename and content type we store them under. Pure; no I/O.
 */
import type { Message, PhotoSize } from 'grammy/types';
import type { TelegramFile, TelegramFileKind } from './telegram-events.js';

function largestPhoto(sizes: PhotoSize[]): PhotoSize | undefined {
  let best: PhotoSize | undefined;
  for (const size of sizes) {
    if (
      !best ||
      size.width * size.height > best.width * best.height ||
      (size.width * size.height === best.width * best.height && (size.file_size ?? 0) > (best.file_size ?? 0))
    ) {
      best = size;
    }
  }
  return best;
}

function file(
  kind: TelegramFileKind,
  item: { file_id: string; file_unique_id: string; file_size?: number },
  filename: string,
  contentType: string,
): TelegramFile {
  const out: TelegramFile = {
    fileId: item.file_id,
    fileUniqueId: item.file_unique_id,
    filename,
    contentType,
    kind,
  };
  if (item.file_size !== undefined) out.size = item.file_size;
  return out;
}

/** The files of a media message (empty for anything else). */
export function messageFiles(message: Message): TelegramFile[] {
  const files: TelegramFile[] = [];
  if (message.photo && message.photo.length > 0) {
    const photo = largestPhoto(message.photo)!;
    files.push(file('photo', photo, `photo_${photo.file_unique_id}.jpg`, 'image/jpeg'));
  }
  const { animation, document, voice, audio, video, video_note: videoNote, live_photo: livePhoto } = message;
  if (animation) {
    // Telegram also sets `document` on an animation, for old clients: keep the file once.
    files.push(
      file(
        'animation',
        animation,
        animation.file_name || `animation_${animation.file_unique_id}.mp4`,
        animation.mime_type || 'video/mp4',
      ),
    );
  } else if (document) {
    files.push(
      file(
        'document',
        document,
        document.file_name || `document_${document.file_unique_id}`,
        document.mime_type || 'application/octet-stream',
      ),
    );
  }
  if (voice) {
    files.push(file('voice', voice, `voice_${voice.file_unique_id}.ogg`, voice.mime_type || 'audio/ogg'));
  }
  if (audio) {
    files.push(
      file(
        'audio',
        audio,
        audio.file_name || `audio_${audio.file_unique_id}.mp3`,
        audio.mime_type || 'audio/mpeg',
      ),
    );
  }
  if (video) {
    files.push(
      file(
        'video',
        video,
        video.file_name || `video_${video.file_unique_id}.mp4`,
        video.mime_type || 'video/mp4',
      ),
    );
  }
  if (videoNote) {
    files.push(file('video', videoNote, `video_note_${videoNote.file_unique_id}.mp4`, 'video/mp4'));
  }
  if (livePhoto) {
    const still = livePhoto.photo ? largestPhoto(livePhoto.photo) : undefined;
    if (still) files.push(file('photo', still, `photo_${still.file_unique_id}.jpg`, 'image/jpeg'));
    files.push(
      file(
        'video',
        livePhoto,
        `live_photo_${livePhoto.file_unique_id}.mp4`,
        livePhoto.mime_type || 'video/mp4',
      ),
    );
  }
  return files;
}
