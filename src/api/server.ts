import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CoreContext } from '../core/core-context.js';
import { errorSummary, HelpdeskError } from '../core/errors.js';
import type { ChannelHealth } from '../core/outbox/channel-health.js';
import { channelReports } from '../core/outbox/outbox-health.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import { openApiDocument } from './openapi.js';
import { type LinkBuilder, registerV1Routes } from './routes-v1.js';

/** JSON with bigint ids as strings and no undefined noise. */
export function toJson(payload: unknown): string {
  return JSON.stringify(payload, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

function tokenMatches(request: FastifyRequest, apiToken: string): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A channel adapter that receives HTTP requests (Telegram webhook, Slack events). */
export interface HttpRouteProvider {
  registerRoutes(server: FastifyInstance): void;
}

export function hasHttpRoutes(value: object): value is HttpRouteProvider {
  return typeof (value as Partial<HttpRouteProvider>).registerRoutes === 'function';
}

const STATUS_BY_CODE: Record<string, number> = {
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
};

/**
 * The web server: `/healthz`, and the REST API under `/api/v1` behind `Authorization: Bearer`.
 * Later the registration form, the portal and the Telegram/Slack webhooks hang off this server.
 */
export async function buildApiServer(deps: {
  core: CoreContext;
  queue: JobQueue;
  apiToken: string;
  logger: Logger;
  linkFor?: LinkBuilder;
  /** Send outcomes per channel; `/healthz` reports each of `channels` when given. */
  channelHealth?: ChannelHealth;
  channels?: () => readonly string[];
}): Promise<FastifyInstance> {
  const server: FastifyInstance = Fastify({
    // Request lines are info-level noise; errors and warnings still reach the log.
    loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  });
  server.setReplySerializer((payload) => toJson(payload));

  server.setErrorHandler((error, request, reply) => {
    if (error instanceof z.ZodError) {
      const fields: Record<string, string> = {};
      for (const issue of error.issues) fields[issue.path.join('.') || '(body)'] = issue.message;
      return reply
        .code(400)
        .send({ error: 'validation_failed', message: 'some fields are not valid', fields });
    }
    if (error instanceof HelpdeskError) {
      return reply
        .code(STATUS_BY_CODE[error.code] ?? 400)
        .send({ error: error.code.toLowerCase(), message: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'bad_request', message: (error as Error).message });
    }
    request.log.error({ reason: errorSummary(error) }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error; see the server log' });
  });

  server.get('/healthz', async (_request, reply) => {
    let database = 'ok';
    try {
      await deps.core.database.sql.query('select 1');
    } catch (error) {
      database = `error: ${(error as Error).message}`;
    }
    const queue = deps.queue.health();
    const ok = database === 'ok' && queue.ok;
    // A channel that is down is reported, not a reason to restart this process.
    const channels =
      database === 'ok' && deps.channelHealth
        ? await channelReports(deps.core, deps.channelHealth, deps.channels?.() ?? [])
        : undefined;
    return reply.code(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'unhealthy',
      database,
      queue: queue.ok ? 'ok' : `error: ${queue.detail}`,
      store: deps.core.database.kind,
      channels,
      expiredLeases: deps.channelHealth?.expiredLeases,
    });
  });

  server.get('/api/v1/openapi.json', async () => openApiDocument());

  await server.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (request.url.startsWith('/api/v1/openapi.json')) return;
        if (!tokenMatches(request, deps.apiToken)) {
          await reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .send({ error: 'unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' });
        }
      });
      registerV1Routes(api, deps.core, deps.linkFor);
    },
    { prefix: '/api/v1' },
  );
  return server;
}
