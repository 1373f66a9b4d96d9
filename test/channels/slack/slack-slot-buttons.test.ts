import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCustomer } from '../../../src/core/customers.js';
import { getTicketByNumber } from '../../../src/core/tickets.js';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.js';
import { blockAction, messageEvent } from '../../helpers/fake-slack/slack-events.js';
import { type SlackTestApp, startSlackApp, TECH } from './slack-kit.js';

/** A Slack customer picks a proposed slot with a button in their DM (HTTP mode, real signing). */
describe('Slack DM slot buttons', () => {
  let fake: FakeSlack;
  let s: SlackTestApp;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    s = await startSlackApp(fake, { mode: 'http' });
  });
  afterEach(async () => {
    await s.app.close();
    await fake.stop();
  });

  it('shows the slots as buttons and books the pressed one for the customer only', async () => {
    const dm = 'DSLOTS001';
    const user = 'USLOTCUST1';
    await createCustomer(
      s.app.core,
      { name: 'Studio Blu', locale: 'it', status: 'active', identities: [{ kind: 'slack', address: user }] },
      'test',
    );
    const ask = fake.userMessage({ channel: dm, user, text: 'Il server non parte' });
    await s.sendEvent(messageEvent({ channel: dm, user, text: ask.text, ts: ask.ts, channel_type: 'im' }), {
      eventId: 'EvSlot1',
    });
    const ack = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === dm && m.thread_ts === ask.ts),
    );
    const number = Number(/(\d+)/.exec(ack.text.replace(/.*ticket n\. /s, ''))?.[1]);
    const res = await s.app.api(`/tickets/${number}/proposals`, { body: { technician: 'giulia' } });
    expect(res.status).toBe(201);
    const offer = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === dm && m.text.includes('Risponda con il numero scelto')),
    );
    const buttons = (
      offer.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>
    )
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    expect(buttons.map((b) => b.value.replace(/^slot:\d+:/, ''))).toEqual(['1', '2', '3']);
    const press = (who: string, value: string) =>
      s.post(
        {
          payload: JSON.stringify(
            blockAction({
              user: who,
              channel: dm,
              messageTs: offer.ts,
              actionId: buttons[0]!.action_id,
              value,
            }),
          ),
        },
        { form: true },
      );

    expect((await press('UINTRUDER9', buttons[0]!.value)).status).toBe(200);
    await fake.waitFor(() => fake.ephemerals.length === 1);
    expect(fake.ephemerals[0]!.text).toBe('Questi orari non sono per lei.');

    expect((await press(user, buttons[0]!.value)).status).toBe(200);
    await fake.waitFor(() => fake.ephemerals.length === 2);
    expect(fake.ephemerals[1]!.text).toBe('Appuntamento confermato.');
    expect((await getTicketByNumber(s.app.core.database, number)).status).toBe('scheduled');
    await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === dm && m.text.includes('Appuntamento confermato:')),
    );
  });
});
