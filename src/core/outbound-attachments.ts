/**
 * Which files of an outbound message fit the customer's channel. Files that do not fit are kept
 * on the message as left out, with the reason; the text goes without them.
 */
import type { AttachmentLimits, InboundAttachment } from './channel.js';

/** Bytes of `size` bytes once base64-encoded in 76-character lines (RFC 2045 §6.8). */
export function base64Bytes(size: number): number {
  const encoded = Math.ceil(size / 3) * 4;
  return encoded + Math.ceil(encoded / 76) * 2;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * Marks the files over `limits` as left out (`content` dropped, `omittedReason` set), in order:
 * a file over `maxFileBytes`, or one that would take the message past `maxTotalBytes` (counted
 * base64-encoded, as a mail carries it), is left out and the later ones still get their chance.
 * Files already without content stay as they are. `limits` undefined = the channel sends no
 * files: every file is left out.
 */
export function fitAttachments(
  files: readonly InboundAttachment[],
  limits: AttachmentLimits | undefined,
  channel: string,
): InboundAttachment[] {
  let total = 0;
  return files.map((file) => {
    if (!file.content) return file;
    let reason: string | undefined;
    if (!limits) {
      reason = `${channel} cannot carry files`;
    } else if (file.size > limits.maxFileBytes) {
      reason = `over the ${megabytes(limits.maxFileBytes)} limit per file of ${channel}`;
    } else if (limits.maxTotalBytes !== undefined && total + base64Bytes(file.size) > limits.maxTotalBytes) {
      reason = `over the ${megabytes(limits.maxTotalBytes)} limit per message of ${channel}`;
    }
    if (reason) return { ...file, content: undefined, omittedReason: reason };
    total += base64Bytes(file.size);
    return file;
  });
}
