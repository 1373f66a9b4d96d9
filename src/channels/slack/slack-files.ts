/**
 * Files people attach in Slack (a customer's DM, a technician's thread reply), fetched from
 * `url_private` with the bot token, capped in size and time. The token goes only to Slack's own
 * file hosts (or the configured API host, for tests).
 */
import type { SlackSettings } from '../../config.js';
import type { AttachmentLimits, ChannelName, InboundAttachment } from '../../core/channel.js';
import type { CoreContext } from '../../core/core-context.js';
import { errorSummary } from '../../core/errors.js';
import { escapeChatMarkup } from '../../templates/format.js';
import type { SlackPoster } from './slack-poster.js';
import type { RelayFiles } from './slack-relay.js';
import { threadOfTicket } from './slack-store.js';

/** A file as Slack describes it in a message event. */
export interface SlackFile {
  id: string;
  name?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
}

export interface SlackDownloadOptions {
  botToken: string;
  apiUrl?: string;
  /** Larger files are kept as a note, never fetched whole (bytes; MAX_ATTACHMENT_MB). */
  maxFileBytes: number;
  /** Per file (ms). */
  timeoutMs?: number;
}

/** A fetched file, or why not; `transient` = trying again later may succeed (5xx, network). */
export type DownloadedFile = InboundAttachment & { transient?: boolean };

/** Fetches each file in order; a failure is a file without content and its reason, never a throw. */
export async function downloadSlackFiles(
  files: readonly SlackFile[],
  options: SlackDownloadOptions,
): Promise<DownloadedFile[]> {
  const out: DownloadedFile[] = [];
  for (const file of files) out.push(await downloadOne(file, options));
  return out;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MB`;
}

async function downloadOne(file: SlackFile, options: SlackDownloadOptions): Promise<DownloadedFile> {
  const base = {
    filename: file.name ?? file.id,
    contentType: file.mimetype ?? 'application/octet-stream',
    size: file.size ?? 0,
  };
  const tooLarge = { ...base, omittedReason: `larger than ${megabytes(options.maxFileBytes)}` };
  if (!file.url_private || !isSlackFileUrl(file.url_private, options.apiUrl)) {
    return { ...base, omittedReason: 'file not downloadable' };
  }
  if (base.size > options.maxFileBytes) return tooLarge;
  try {
    const response = await fetch(file.url_private, {
      headers: { authorization: `Bearer ${options.botToken}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return {
        ...base,
        omittedReason: `download failed (${response.status})`,
        transient: response.status >= 500 || response.status === 429,
      };
    }
    // Read no more than the cap, whatever the size Slack announced.
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > options.maxFileBytes) {
        await response.body.cancel().catch(() => {});
        return { ...tooLarge, size };
      }
      chunks.push(chunk);
    }
    return { ...base, size, content: new Uint8Array(Buffer.concat(chunks)) };
  } catch (error) {
    return { ...base, omittedReason: `download failed (${errorSummary(error)})`, transient: true };
  }
}

/** The bot token only goes to Slack's own file hosts (or the configured API host, for tests). */
export function isSlackFileUrl(url: string, apiUrl: string | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (apiUrl && parsed.host === new URL(apiUrl).host) return true;
  return (
    parsed.protocol === 'https:' &&
    (parsed.hostname === 'files.slack.com' || parsed.hostname.endsWith('.slack.com'))
  );
}

/** What relaying technicians' files needs (see {@link RelayFiles}), for the Slack adapter. */
export function slackRelayFiles(deps: {
  settings: SlackSettings;
  core: CoreContext;
  poster: SlackPoster;
  maxFileBytes: number;
  limitsOf: (channel: ChannelName) => AttachmentLimits | undefined;
}): RelayFiles {
  const { settings, poster } = deps;
  return {
    download: (files) =>
      downloadSlackFiles(files, {
        botToken: settings.botToken,
        apiUrl: settings.apiUrl,
        maxFileBytes: deps.maxFileBytes,
        timeoutMs: settings.sendTimeoutMs,
      }),
    limitsOf: deps.limitsOf,
    notifyLeftOut: async (relay, leftOut) => {
      const thread = await threadOfTicket(deps.core.database.db, relay.ticketId);
      await poster.post(relay.channelId, () =>
        poster.client.chat.postMessage({
          channel: relay.channelId,
          thread_ts: thread?.threadTs,
          text: `:warning: File non inviati al cliente / files not sent to the customer:\n${leftOut
            .map((line) => `• ${escapeChatMarkup(line)}`)
            .join('\n')}`,
        }),
      );
    },
  };
}
