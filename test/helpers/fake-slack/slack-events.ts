/** Builders of what Slack sends to an app: event callbacks, block actions, slash commands. */
import { FAKE_TEAM } from './fake-slack.js';

let eventCounter = 0;

/** An `event_callback` wrapping `event`, with a fresh `event_id` unless given. */
export function eventCallback(event: Record<string, unknown>, eventId?: string): Record<string, unknown> {
  eventCounter += 1;
  return {
    token: 'legacy-verification-token',
    team_id: FAKE_TEAM,
    api_app_id: 'A0FAKE',
    type: 'event_callback',
    event_id: eventId ?? `Ev${Date.now().toString(36)}${eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: FAKE_TEAM, user_id: 'UBOT0001', is_bot: true }],
    event,
  };
}

/** A user's message; `thread_ts` makes it a thread reply. */
export function messageEvent(input: {
  channel: string;
  user: string;
  text: string;
  ts: string;
  thread_ts?: string;
  channel_type?: 'channel' | 'im';
  files?: unknown[];
}): Record<string, unknown> {
  return { type: 'message', channel_type: 'channel', ...input, team: FAKE_TEAM, event_ts: input.ts };
}

/** The user edited their message `ts` to `text`. */
export function messageChanged(input: {
  channel: string;
  user: string;
  ts: string;
  thread_ts: string;
  text: string;
}) {
  return {
    type: 'message',
    subtype: 'message_changed',
    channel: input.channel,
    channel_type: 'channel',
    hidden: true,
    ts: `${input.ts}1`,
    message: {
      type: 'message',
      user: input.user,
      text: input.text,
      ts: input.ts,
      thread_ts: input.thread_ts,
    },
    previous_message: { type: 'message', user: input.user, ts: input.ts },
  };
}

/** The user deleted their message `ts`. */
export function messageDeleted(input: { channel: string; user: string; ts: string; thread_ts: string }) {
  return {
    type: 'message',
    subtype: 'message_deleted',
    channel: input.channel,
    channel_type: 'channel',
    hidden: true,
    ts: `${input.ts}2`,
    deleted_ts: input.ts,
    previous_message: { type: 'message', user: input.user, ts: input.ts, thread_ts: input.thread_ts },
  };
}

/** A click on a card button. */
export function blockAction(input: {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value: string;
}) {
  return {
    type: 'block_actions',
    team: { id: FAKE_TEAM },
    user: { id: input.user },
    api_app_id: 'A0FAKE',
    trigger_id: `trigger-${Date.now()}`,
    channel: { id: input.channel },
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel },
    message: { ts: input.messageTs },
    response_url: 'http://127.0.0.1:9/unused',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        value: input.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A slash command as Slack sends it (form fields). */
export function slashCommand(input: {
  command: string;
  text: string;
  user: string;
  channel: string;
  responseUrl: string;
}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: FAKE_TEAM,
    channel_id: input.channel,
    user_id: input.user,
    command: input.command,
    text: input.text,
    response_url: input.responseUrl,
    trigger_id: `trigger-${Date.now()}`,
    api_app_id: 'A0FAKE',
  };
}
