import { describe, expect, it } from 'vitest';
import { NOT_ALLOWED } from '../../../src/channels/slack/slack-inbound.js';
import { disableStaffAccount } from '../../../src/web/staff/staff-accounts.js';
import { blockAction } from '../../helpers/fake-slack/slack-events.js';
import { createStaffAccount } from '../../helpers/staff-kit.js';
import { CHANNEL, emailCustomer, ingestMail, useSlackWithMail } from './slack-kit.js';

const PAOLA = 'USTAFF001';

/** A technician known by their staff account's Slack id (#25), not by SLACK_TECHNICIANS. */
describe('Slack technicians from staff accounts', () => {
  const slack = useSlackWithMail({ perFile: true });

  it('takes a ticket under the staff account name, and is refused once the account is disabled', async () => {
    slack.fake.users.set(PAOLA, { display_name: 'pv', real_name: 'P. V.' });
    const id = await createStaffAccount(slack.s.app.core, {
      email: 'paola@shop.test',
      name: 'Paola Verdi',
      role: 'technician',
      password: 'password-paola-1',
      slackUserId: PAOLA,
    });
    const { address } = await emailCustomer(slack.s.app);
    const outcome = await ingestMail(slack.s.app, { from: address, subject: 'Rete', text: 'Il wifi non va' });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const number = outcome.ticketNumber;
    const card = await slack.fake.waitFor(() =>
      slack.fake.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes(`#${number}`)),
    );
    const press = (actionId: string) =>
      slack.s.post(
        {
          payload: JSON.stringify(
            blockAction({
              user: PAOLA,
              channel: CHANNEL,
              messageTs: card.ts,
              actionId,
              value: String(number),
            }),
          ),
        },
        { form: true },
      );
    expect((await press('ticket_take')).status).toBe(200);
    await slack.fake.waitFor(() => JSON.stringify(card.blocks).includes('Paola Verdi'));
    const { rows } = await slack.s.app.database.sql.query<{ assignee: string }>(
      'select assignee from tickets where number = $1',
      [number],
    );
    expect(rows).toEqual([{ assignee: 'Paola Verdi' }]);

    await disableStaffAccount(slack.s.app.core, BigInt(id), 'test');
    await press('ticket_resolve');
    expect(slack.fake.ephemerals.map((e) => e.text)).toContain(
      `Ticket #${number} assegnato a Paola Verdi. / Ticket #${number} assigned to Paola Verdi.`,
    );
    await slack.fake.waitFor(() =>
      slack.fake.ephemerals.find((e) => e.user === PAOLA && e.text === NOT_ALLOWED),
    );
    const after = await slack.s.app.database.sql.query<{ status: string }>(
      'select status from tickets where number = $1',
      [number],
    );
    expect(after.rows[0]!.status).not.toBe('resolved');
  });
});
