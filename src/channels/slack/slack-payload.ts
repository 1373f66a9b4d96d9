/**
 * The shape a signed Slack request must have before Bolt sees it. Bolt reads `body.event.type`,
 * `body.actions[0].action_id` and the like without checking, so a signed body with `"event": null`
 * or a field of the wrong type threw a TypeError and got a 500 — and Slack sends a 500 again and
 * again. Such a body is answered 200 and ignored (kept raw with the reason) instead. Pure.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `fields` of `object` that are present but not strings. */
function notStrings(object: Json, fields: string[], where: string): string | undefined {
  const wrong = fields.filter((field) => object[field] !== undefined && typeof object[field] !== 'string');
  return wrong.length ? `${where}: ${wrong.join(', ')} not a string` : undefined;
}

/** Why `body` (a parsed, signed Slack request) cannot be handled, or undefined when it can. */
export function slackPayloadProblem(body: Json): string | undefined {
  if (body.type === 'event_callback') {
    const event = body.event;
    if (!isObject(event)) return 'event_callback without an event object';
    if (typeof event.type !== 'string') return 'event without a type';
    const problem = notStrings(
      event,
      ['subtype', 'channel', 'channel_type', 'user', 'bot_id', 'text', 'ts', 'thread_ts', 'deleted_ts'],
      `event ${event.type}`,
    );
    if (problem) return problem;
    if (event.type === 'message' && typeof event.ts !== 'string') return 'message event without a ts';
    if (event.files !== undefined && !Array.isArray(event.files)) return 'event files not a list';
    for (const key of ['message', 'previous_message']) {
      if (event[key] === undefined) continue;
      if (!isObject(event[key])) return `event ${key} not an object`;
      const inner = notStrings(event[key], ['ts', 'text', 'user', 'thread_ts', 'bot_id'], `event ${key}`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (body.type === 'block_actions' || body.type === 'interactive_message') {
    if (!isObject(body.user) || typeof body.user.id !== 'string') return `${body.type} without a user id`;
    if (!Array.isArray(body.actions) || body.actions.length === 0) return `${body.type} without actions`;
    for (const action of body.actions) {
      if (!isObject(action)) return `${body.type}: an action is not an object`;
      const problem = notStrings(
        action,
        ['action_id', 'value', 'action_ts', 'block_id'],
        `${body.type} action`,
      );
      if (problem) return problem;
    }
    if (body.channel !== undefined && (!isObject(body.channel) || typeof body.channel.id !== 'string'))
      return `${body.type}: channel without an id`;
    return undefined;
  }
  if (body.command !== undefined) {
    // Slash commands come as a form: every field is a string; these must be there.
    for (const field of ['command', 'user_id']) {
      if (typeof body[field] !== 'string') return `slash command without ${field}`;
    }
  }
  return undefined;
}

/**
 * Why a Socket Mode envelope (the WebSocket message around a payload) cannot be handled, or
 * undefined when it can. `hello` and `disconnect` carry no payload.
 */
export function socketEnvelopeProblem(envelope: unknown): string | undefined {
  if (!isObject(envelope)) return 'Socket Mode message not a JSON object';
  if (typeof envelope.type !== 'string') return 'Socket Mode message without a type';
  if (envelope.type === 'hello' || envelope.type === 'disconnect') return undefined;
  if (typeof envelope.envelope_id !== 'string') return `${envelope.type} envelope without an envelope_id`;
  const payload = envelope.payload;
  if (!isObject(payload)) return `${envelope.type} envelope without a payload object`;
  if (envelope.type === 'events_api' && !isObject(payload.event))
    return 'events_api payload without an event object';
  if (envelope.type === 'slash_commands' && typeof payload.command !== 'string')
    return 'slash command without command';
  return slackPayloadProblem(payload);
}
