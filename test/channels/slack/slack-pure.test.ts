import { describe, expect, it } from 'vitest';
import { parseSlackBody } from '../../../src/channels/slack/http-receiver.js';
import { ticketCard } from '../../../src/channels/slack/slack-blocks.js';
import { parseDuration, parseHelpdeskCommand } from '../../../src/channels/slack/slack-commands.js';
import { classifyReply, slackToPlain } from '../../../src/channels/slack/slack-relay.js';
import { slackSignature, verifySlackSignature } from '../../../src/channels/slack/slack-signing.js';
import { loadConfig } from '../../../src/config.js';

const relay = { notePrefix: 'nota:', replyMode: 'relay' as const };
const explicit = { notePrefix: 'nota:', replyMode: 'explicit' as const };

describe('what a technician reply means', () => {
  it('relays by default, keeps note-prefixed replies internal in any case', () => {
    expect(classifyReply('Arrivo alle 15', relay)).toEqual({ kind: 'relay', text: 'Arrivo alle 15' });
    expect(classifyReply('  Nota: chiamare prima', relay)).toEqual({ kind: 'note', text: 'chiamare prima' });
    expect(classifyReply('NOTA:x', relay)).toEqual({ kind: 'note', text: 'x' });
    // Slack bold or italic around the prefix is still the prefix (issue #20).
    expect(classifyReply('*nota:* solo per noi', relay)).toEqual({ kind: 'note', text: 'solo per noi' });
    expect(classifyReply('_Nota:_ solo per noi', relay)).toEqual({ kind: 'note', text: 'solo per noi' });
    expect(classifyReply('*notare* il cavo', relay)).toEqual({ kind: 'relay', text: '*notare* il cavo' });
    // "notare" is not the prefix.
    expect(classifyReply('notare che…', relay).kind).toBe('relay');
  });

  it('in explicit mode relays only replies starting with >>', () => {
    expect(classifyReply('tra noi: è il router', explicit)).toEqual({ kind: 'chatter' });
    expect(classifyReply('>> Arrivo', explicit)).toEqual({ kind: 'relay', text: 'Arrivo' });
    expect(classifyReply('nota: x', explicit)).toEqual({ kind: 'note', text: 'x' });
  });

  it('decodes Slack text as the customer must read it', () => {
    const decoded = slackToPlain(
      '&gt;&gt; Vedi <https://x.it/a?b=1&amp;c=2|la guida> e <https://y.it> &lt;3 <@U123> <mailto:a@b.it|a@b.it>',
    );
    expect(decoded).toBe('>> Vedi la guida (https://x.it/a?b=1&c=2) e https://y.it <3 @U123 a@b.it');
    expect(classifyReply(slackToPlain('&gt;&gt; ok'), explicit)).toEqual({ kind: 'relay', text: 'ok' });
  });
});

describe('/helpdesk parsing', () => {
  it('parses every sub-command and gives usage for wrong ones', () => {
    expect(parseHelpdeskCommand('')).toEqual({ kind: 'help' });
    expect(parseHelpdeskCommand('list')).toEqual({ kind: 'list' });
    expect(parseHelpdeskCommand('propose 12')).toEqual({ kind: 'propose', number: 12 });
    expect(parseHelpdeskCommand('propose #12 onsite 1h30')).toEqual({
      kind: 'propose',
      number: 12,
      mode: 'onsite',
      minutes: 90,
    });
    expect(parseHelpdeskCommand('propose 12 45 remote')).toEqual({
      kind: 'propose',
      number: 12,
      mode: 'remote',
      minutes: 45,
    });
    expect(parseHelpdeskCommand('propose 12 6h').kind).toBe('usage');
    expect(parseHelpdeskCommand('propose 12 domani').kind).toBe('usage');
    expect(parseHelpdeskCommand('take #1042')).toEqual({ kind: 'take', number: 1042 });
    expect(parseHelpdeskCommand('note 1042 cliente   richiama')).toEqual({
      kind: 'note',
      number: 1042,
      text: 'cliente richiama',
    });
    expect(parseHelpdeskCommand('reply 7 Buongiorno')).toEqual({
      kind: 'reply',
      number: 7,
      text: 'Buongiorno',
    });
    expect(parseHelpdeskCommand('contact 7 phone fissato lunedì')).toEqual({
      kind: 'contact',
      number: 7,
      medium: 'phone',
      text: 'fissato lunedì',
    });
    expect(parseHelpdeskCommand('time 7 1h30 backup')).toEqual({
      kind: 'time',
      number: 7,
      minutes: 90,
      text: 'backup',
      entryKind: 'remote',
      billable: true,
    });
    expect(parseHelpdeskCommand('time 7 1,5h telefono gratis richiamato')).toEqual({
      kind: 'time',
      number: 7,
      minutes: 90,
      text: 'richiamato',
      entryKind: 'phone',
      billable: false,
    });
    expect(parseHelpdeskCommand('summary 7')).toEqual({ kind: 'summary', number: 7 });
    expect(parseHelpdeskCommand('note 7')).toMatchObject({
      kind: 'usage',
      message: 'Uso: /helpdesk note N testo / Usage: /helpdesk note N testo',
    });
    expect(parseHelpdeskCommand('take abc')).toMatchObject({ kind: 'usage' });
    expect(parseHelpdeskCommand('take -3')).toMatchObject({ kind: 'usage' });
    expect(parseHelpdeskCommand('contact 7 fax ciao')).toMatchObject({ kind: 'usage' });
    expect(parseHelpdeskCommand('time 7 tanto')).toMatchObject({ kind: 'usage' });
    expect(parseHelpdeskCommand('rm -rf', '/hd')).toMatchObject({ kind: 'usage' });
  });

  it('reads a duration typed with spaces whole, not its first word as the duration and the rest as the note', () => {
    const time = (text: string) => parseHelpdeskCommand(text) as { minutes?: number; text?: string };
    expect(time('time 7 1h 30m sostituito disco')).toMatchObject({ minutes: 90, text: 'sostituito disco' });
    expect(time('time 7 2 h cambio disco')).toMatchObject({ minutes: 120, text: 'cambio disco' });
    expect(time('time 7 1 h 30 min backup')).toMatchObject({ minutes: 90, text: 'backup' });
    expect(time('time 7 45 min')).toMatchObject({ minutes: 45, text: '' });
    expect(time('time 7 1h 2 pc configurati')).toMatchObject({ minutes: 60, text: '2 pc configurati' });
    expect(time('time 7 90 telefono richiamato')).toMatchObject({ minutes: 90, text: 'richiamato' });
  });

  it('reads durations like 1h30, 45m, 2h, 90', () => {
    expect([parseDuration('1h30'), parseDuration('45m'), parseDuration('2h'), parseDuration('90')]).toEqual([
      90, 45, 120, 90,
    ]);
    expect([parseDuration('0'), parseDuration('h'), parseDuration('25h'), parseDuration('1h30x')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('request signing', () => {
  const secret = 'shhh-signing-secret';
  const now = new Date('2026-12-01T10:00:00Z');
  const ts = String(now.getTime() / 1000);

  it('accepts a matching signature within five minutes and refuses the rest', () => {
    const body = 'token=x&command=%2Fhelpdesk';
    const ok = {
      signingSecret: secret,
      timestamp: ts,
      signature: slackSignature(secret, ts, body),
      rawBody: body,
      now,
    };
    expect(() => verifySlackSignature(ok)).not.toThrow();
    expect(() => verifySlackSignature({ ...ok, now: new Date(now.getTime() + 301_000) })).toThrow(
      /from our clock/,
    );
    expect(() => verifySlackSignature({ ...ok, rawBody: `${body}&x=1` })).toThrow(/does not match/);
    expect(() => verifySlackSignature({ ...ok, signature: undefined })).toThrow(/missing/);
    expect(() => verifySlackSignature({ ...ok, timestamp: '1e9' })).toThrow(/number/);
    expect(() => verifySlackSignature({ ...ok, signature: 'v0=00' })).toThrow(/does not match/);
  });

  it('parses JSON events, form commands and form-encoded interactivity payloads', () => {
    expect(parseSlackBody('{"type":"event_callback"}', 'application/json')).toEqual({
      type: 'event_callback',
    });
    expect(parseSlackBody('command=%2Fhelpdesk&text=list', 'application/x-www-form-urlencoded')).toEqual({
      command: '/helpdesk',
      text: 'list',
    });
    expect(
      parseSlackBody(
        `payload=${encodeURIComponent('{"type":"block_actions"}')}`,
        'application/x-www-form-urlencoded',
      ),
    ).toEqual({
      type: 'block_actions',
    });
    expect(() => parseSlackBody('[1]', 'application/json')).toThrow();
    expect(() => parseSlackBody('not json', 'application/json')).toThrow();
  });
});

describe('the ticket card', () => {
  it('escapes what customers wrote so they cannot mention or link', () => {
    const card = ticketCard({
      number: 1042,
      subject: '<!channel> urgente',
      status: 'open',
      originChannel: 'email',
      customer: { name: 'A&B <@U1>', status: 'active', hourlyRateCents: 4550, quickAccess: true },
      firstText: 'clicca <https://evil.example|qui>',
      assignee: null,
      firstContactDueAt: new Date('2026-12-03T14:30:00Z'),
      firstContactAt: null,
      timeZone: 'Europe/Rome',
    });
    const json = JSON.stringify(card);
    // Slack parses mentions and links in mrkdwn and `text`, never in plain_text (the header).
    const header = card.blocks[0] as { text: { type: string } };
    expect(header.text.type).toBe('plain_text');
    const parsed = JSON.stringify([card.text, ...card.blocks.slice(1)]);
    expect(parsed).not.toContain('<!channel>');
    expect(parsed).not.toContain('<@U1>');
    expect(json).toContain('(attivo)');
    expect(json).not.toContain('<https://evil');
    expect(json).toContain('A&amp;B &lt;@U1&gt;');
    expect(json).toContain('45,50');
    expect(json).toContain('entro 03/12/26, 15:30');
    expect(json).toContain('ticket_take');
  });
});

describe('Slack settings', () => {
  it('turns Slack on with a bot token and channel, and names what is wrong without echoing secrets', () => {
    const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_CHANNEL_ID: 'C0123ABCD' };
    expect(loadConfig({}).slack).toBeUndefined();
    expect(() => loadConfig(base)).toThrow(/SLACK_SIGNING_SECRET: set it/);
    const socket = loadConfig({
      ...base,
      SLACK_APP_TOKEN: 'xapp-1-A-1-xyz',
      SLACK_TECHNICIANS: 'U1AAA, U2BBB',
    });
    expect(socket.slack).toMatchObject({
      appToken: 'xapp-1-A-1-xyz',
      technicians: ['U1AAA', 'U2BBB'],
      relayDelayMs: 5000,
    });
    expect(socket.slack?.replyMode).toBe('relay');
    expect(socket.slack?.notePrefix).toBe('nota:');
    expect(socket.slack?.command).toBe('/helpdesk');
    let message = '';
    try {
      loadConfig({ ...base, SLACK_BOT_TOKEN: 'xoxp-secret-user-token' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^SLACK_BOT_TOKEN: use the Bot User OAuth Token/);
    expect(message).not.toContain('xoxp-secret-user-token');
    expect(() =>
      loadConfig({ ...base, SLACK_SIGNING_SECRET: 'abcdefgh', SLACK_CHANNEL_ID: '#tecnici' }),
    ).toThrow(/SLACK_CHANNEL_ID: use the channel id/);
    expect(() => loadConfig({ ...base, SLACK_SIGNING_SECRET: 'abcdefgh', SLACK_REPLY_MODE: 'all' })).toThrow(
      /relay or explicit/,
    );
    expect(() =>
      loadConfig({ ...base, SLACK_SIGNING_SECRET: 'abcdefgh', SLACK_TECHNICIANS: 'mario' }),
    ).toThrow(/SLACK_TECHNICIANS/);
  });
});
