import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { attachments } from '../schema.js';

/** An attachment without its content: whether the content was kept, or why not. */
export type AttachmentMetadata = Omit<typeof attachments.$inferSelect, 'content' | 'contentId' | 'inline'> & {
  kept: boolean;
};

/** The attachments of these messages, without their content. */
export async function attachmentMetadataOfMessages(
  db: Db,
  messageIds: readonly bigint[],
): Promise<AttachmentMetadata[]> {
  if (messageIds.length === 0) return [];
  return db
    .select({
      id: attachments.id,
      messageId: attachments.messageId,
      filename: attachments.filename,
      contentType: attachments.contentType,
      size: attachments.size,
      kept: sql<boolean>`${attachments.content} is not null`,
      omittedReason: attachments.omittedReason,
    })
    .from(attachments)
    .where(inArray(attachments.messageId, [...messageIds]));
}
