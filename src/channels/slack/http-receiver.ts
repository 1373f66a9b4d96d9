/**
 * HTTP mode: Slack posts events, slash commands and interactivity to `/slack/events` on the app's
 * own web server. The signature and the replay window are checked with the injected clock, the
 * request is answered as soon as the listener acknowledges it (Slack waits 3 s), and processing
 * goes on after the answer.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import { errorSummary } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { slackPayloadProblem } from './slack-payload.js';
import { SlackSignatureError, verifySlackSignature } from './slack-signing.js';

export const SLACK_EVENTS_PATH = '/slack/events';

/** A listener failed before acknowledging: Slack must send the request again. */
const NOT_HANDLED = Symbol('not handled');

/** Answer Slack before its 3 s timeout even when no listener acknowledged (nothing listened). */
const ACK_DEADLINE_MS = 2_500;

/** Parses a Slack request body: JSON (events), or a form whose `payload` is JSON (interactivity). */
export function parseSlackBody(rawBody: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(rawBody);
    const payload = form.get('payload');
    if (payload !== null) return jsonObject(payload);
    // A field sent twice is kept as a list, so the shape check refuses it instead of reading one.
    const fields: Record<string, string | string[]> = {};
    for (const [name, value] of form.entries()) {
      const seen = fields[name];
      fields[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    return fields;
  }
  return jsonObject(rawBody);
}

function jsonObject(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new SyntaxError('not a JSON object');
  return parsed as Record<string, unknown>;
}

/** A Bolt receiver mounted on Fastify instead of its own HTTP server. */
export class FastifyReceiver implements Receiver {
  private app?: App;
  private running = false;

  constructor(
    private readonly options: {
      signingSecret: string;
      now: () => Date;
      logger: Logger;
      /** Keep the raw input of a request that passed the signature but could not be parsed. */
      onUnparsable: (rawBody: string, error: string) => Promise<void>;
    },
  ) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /** Adds `POST /slack/events` to `server`, with a raw-body parser scoped to that route. */
  register(server: FastifyInstance): void {
    server.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
      scope.post(SLACK_EVENTS_PATH, async (request, reply) => {
        const rawBody = typeof request.body === 'string' ? request.body : '';
        const header = (name: string) => {
          const value = request.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        try {
          verifySlackSignature({
            signingSecret: this.options.signingSecret,
            timestamp: header('x-slack-request-timestamp'),
            signature: header('x-slack-signature'),
            rawBody,
            now: this.options.now(),
          });
        } catch (error) {
          if (!(error instanceof SlackSignatureError)) throw error;
          const code = `SLACK_SIGNATURE_${error.reason.toUpperCase()}`;
          this.options.logger.warn({ code }, 'slack: request refused');
          return reply.code(401).send({ error: 'invalid_signature', code });
        }
        if (!this.running || !this.app) return reply.code(503).send({ error: 'unavailable' });
        let body: Record<string, unknown>;
        try {
          body = parseSlackBody(rawBody, header('content-type'));
        } catch (error) {
          // Signed, so from Slack (or whoever holds the secret): answered 200 so it is not sent again.
          await this.options.onUnparsable(rawBody, errorSummary(error));
          return reply.code(200).send({ ok: false, ignored: 'the body is not a Slack payload' });
        }
        if (body.type === 'url_verification') return reply.send({ challenge: body.challenge });
        if (body.ssl_check) return reply.send();
        const problem = slackPayloadProblem(body);
        if (problem) {
          // Signed by Slack but not a shape we can act on: a 500 would only make Slack send it again.
          this.options.logger.warn({ problem }, 'slack: signed request ignored (unexpected shape)');
          await this.options.onUnparsable(rawBody, `unexpected Slack payload: ${problem}`);
          return reply.code(200).send({ ok: true, ignored: problem });
        }
        const retryNum = Number(header('x-slack-retry-num'));
        const response = await this.dispatch(this.app, {
          body,
          retryNum: Number.isFinite(retryNum) ? retryNum : undefined,
          retryReason: header('x-slack-retry-reason'),
        });
        if (response === NOT_HANDLED) return reply.code(500).send({ error: 'not_handled' });
        if (response === undefined || response === '') return reply.code(200).send();
        return typeof response === 'string'
          ? reply.code(200).type('text/plain').send(response)
          : reply.code(200).send(response);
      });
    });
  }

  /** Resolves with what the listener acknowledged with, or empty at the ack deadline. */
  private dispatch(
    app: App,
    event: Omit<ReceiverEvent, 'ack'>,
  ): Promise<string | Record<string, unknown> | typeof NOT_HANDLED | undefined> {
    return new Promise((resolve) => {
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        resolve(undefined);
      }, ACK_DEADLINE_MS);
      const ack = async (response?: unknown) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(response as string | Record<string, unknown> | undefined);
      };
      app.processEvent({ ...event, ack }).catch((error: unknown) => {
        this.options.logger.warn({ reason: errorSummary(error) }, 'slack: event processing failed');
        // Not acknowledged: a 500 makes Slack send it again (the store de-duplicates what was done).
        if (!answered) {
          answered = true;
          clearTimeout(timer);
          resolve(NOT_HANDLED);
        }
      });
    });
  }
}
