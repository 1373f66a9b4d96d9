import { createRequire } from 'node:module';
import type { Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { socketEnvelopeProblem } from './slack-payload.js';

const { default: SocketModeReceiver } = createRequire(import.meta.url)(
  '@slack/bolt/dist/receivers/SocketModeReceiver.js',
) as typeof import('@slack/bolt/dist/receivers/SocketModeReceiver.js');

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

  async function handle(data: string | ArrayBuffer, isBinary: boolean): Promise<void> {
    if (isBinary) return internals.onWebSocketMessage(data, isBinary);
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      envelope = undefined;
    }
    const problem = socketEnvelopeProblem(envelope);
    if (!problem) return internals.onWebSocketMessage(data, isBinary);
    logger.warn({ problem }, 'slack: Socket Mode message ignored (unexpected shape)');
    const envelopeId = (envelope as { envelope_id?: unknown } | undefined)?.envelope_id;
    if (typeof envelopeId === 'string') await internals.send(envelopeId);
    await options.onUnparsable(text, `unexpected Slack payload: ${problem}`);
  }

  client.removeAllListeners('ws_message');
  client.on('ws_message', (data: string | ArrayBuffer, isBinary: boolean) => {
    handle(data, isBinary).catch((error: unknown) => {
      logger.warn({ reason: String(error).slice(0, 300) }, 'slack: Socket Mode message failed');
    });
  });
  return receiver;
}
