import { createRequire } from 'node:module';
import type { Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { socketEnvelopeProblem } from './slack-payload.js';

const { default: SocketModeReceiver } = createRequire(import.meta.url)(
  '@slack/bolt/dist/receivers/SocketModeReceiver.js',
) as typeof import('@slack/bolt/dist/receivers/SocketModeReceiver.js');

/**
 * Characters of one Socket Mode message, at most: the HTTP receiver's body limit (1 MB), so both
 * transports refuse the same. Slack's own payloads are far smaller (a message's text is at most
 * 40,000 characters).
 */
export const SOCKET_MESSAGE_LIMIT = 1024 * 1024;

/** The Socket Mode client's own handler and ack, which its typings keep non-public. */
interface SocketModeClientInternals {
  onWebSocketMessage(data: string | ArrayBuffer, isBinary: boolean): Promise<void>;
  send(envelopeId: string, payload?: Record<string, unknown>): Promise<void>;
}

/**
 * Bolt's Socket Mode receiver with the shape check the HTTP receiver has
 * ({@link socketEnvelopeProblem}). `@slack/socket-mode` reads `payload.event.type` of every
 * envelope unchecked: `"event": null` threw inside its message handler, an unhandled rejection,
 * and the envelope was never acked, so Slack sent it again. Such an envelope is now acked, kept
 * raw with the reason, and not processed; anything else still thrown while handling a message is
 * logged instead of escaping.
 *
 * @param onUnparsable keeps the raw WebSocket message (text) with the reason.
 */
export function checkedSocketModeReceiver(options: {
  appToken: string;
  apiUrl?: string;
  boltLogger: BoltLogger;
  logger: Logger;
  onUnparsable: (raw: string, error: string) => Promise<void>;
}): InstanceType<typeof SocketModeReceiver> {
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger: options.boltLogger,
    installerOptions: { clientOptions: { slackApiUrl: options.apiUrl } },
  });
  const client = receiver.client;
  const internals = client as unknown as SocketModeClientInternals;
  const { logger } = options;

  async function handle(data: string | ArrayBuffer | Blob, isBinary: boolean): Promise<void> {
    // undici's WebSocket hands binary frames over as a Blob.
    const text =
      typeof data === 'string'
        ? data
        : data instanceof Blob
          ? await data.text()
          : new TextDecoder().decode(data);
    let problem: string | undefined;
    let envelopeId: string | undefined;
    if (text.length > SOCKET_MESSAGE_LIMIT) {
      problem = `a message of ${text.length} characters, over the ${SOCKET_MESSAGE_LIMIT} an HTTP request may have`;
      envelopeId = /"envelope_id"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1];
    } else {
      let envelope: unknown;
      try {
        envelope = JSON.parse(text);
      } catch {
        envelope = undefined;
      }
      const id = (envelope as { envelope_id?: unknown } | null | undefined)?.envelope_id;
      envelopeId = typeof id === 'string' ? id : undefined;
      // Slack sends text frames only.
      problem = isBinary ? 'a binary WebSocket frame' : socketEnvelopeProblem(envelope);
    }
    if (!problem) return internals.onWebSocketMessage(text, false);
    logger.warn({ problem }, 'slack: Socket Mode message ignored (unexpected shape)');
    if (envelopeId) await internals.send(envelopeId);
    await options.onUnparsable(text, `unexpected Slack payload: ${problem}`);
  }

  client.removeAllListeners('ws_message');
  client.on('ws_message', (data: string | ArrayBuffer | Blob, isBinary: boolean) => {
    handle(data, isBinary).catch((error: unknown) => {
      logger.warn({ reason: String(error).slice(0, 300) }, 'slack: Socket Mode message failed');
    });
  });
  return receiver;
}
