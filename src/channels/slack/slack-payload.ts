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

/**
 * Characters of a message's text Slack keeps (it truncates longer messages). A longer text in an
 * event did not come from Slack; relayed, it would become hundreds of chat messages.
 */
export const SLACK_TEXT_LIMIT = 40_000;

/** The text fields of a slash command this app reads; Slack sends each as a string. */
const COMMAND_FIELDS = ['command', 'text', 'user_id', 'user_name', 'channel_id', 'team_id', 'trigger_id'];

/**
 * Why `body` (a parsed, signed Slack request) cannot be handled, or undefined when it can. Only
 * what the app listens to passes: events (`event_callback`), buttons (`block_actions`,
 * `interactive_message`) and slash commands; any other type (a view, a shortcut) was never
 * declared in the app's manifest.
 */
export function slackPayloadProblem(body: Json): string | undefined {
  if (body.type === 'event_callback') return eventProblem(body.event);
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
    for (const field of ['command', 'user_id', 'response_url']) {
      if (typeof body[field] !== 'string') return `slash command without ${field}`;
    }
    return notStrings(body, COMMAND_FIELDS, 'slash command');
  }
  return `a payload of type ${typeof body.type === 'string' ? body.type.slice(0, 50) : 'none'}, which this app does not handle`;
}

function eventProblem(event: unknown): string | undefined {
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
  for (const text of [event.text, (event.message as Json | undefined)?.text]) {
    if (typeof text === 'string' && text.length > SLACK_TEXT_LIMIT)
      return `event text of ${text.length} characters, over Slack's ${SLACK_TEXT_LIMIT}`;
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
  if (!['events_api', 'interactive', 'slash_commands'].includes(envelope.type))
    return `an envelope of type ${envelope.type.slice(0, 50)}, which this app does not handle`;
  return slackPayloadProblem(payload);
}
