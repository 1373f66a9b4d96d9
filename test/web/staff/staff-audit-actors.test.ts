import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeTicket } from '../../../src/channels/slack/slack-actions.js';
import { WebAdapter } from '../../../src/channels/web/web-adapter.js';
import { slackTechnicianActor } from '../../../src/core/actors.js';
import { audit } from '../../../src/core/audit.js';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { createStaffAccount, staffSession } from '../../helpers/staff-kit.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';
import { WEB_TEST_SETTINGS } from '../../helpers/web-kit.js';

// One technician, one actor (#25): Anna acts from the dashboard, from Slack (her account carries
// her Slack id) and through the REST API; older rows name her by e-mail. The audit page names her
// the same way everywhere and her name in the filter finds all of it, and nobody else's.
let app: TestApp;
let core: CoreContext;
let anna: string;
let number: number;
let cookie: string;
const PASSWORD = 'password-di-prova-123';

const get = async (path: string) => (await fetch(`${app.url}${path}`, { headers: { cookie } })).text();
/** The audit table's rows as "actor cell | action". */
const rows = (html: string) =>
  [
    ...html
      .split('<tbody>')[1]!
      .split('</tbody>')[0]!
      .matchAll(/<tr>(.*?)<\/tr>/g),
  ].map((r) => {
    const cell = [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!);
    return `${cell[1]!.replace(/<[^>]+>/g, '')} | ${cell[2]!.replace(/<[^>]+>/g, '')}`;
  });

beforeAll(async () => {
  app = await startTestApp({
    env: { PUBLIC_URL: 'http://staff.example.test' },
    adapters: (_context, c) => {
      core = c;
      const web = { core: c, settings: WEB_TEST_SETTINGS, logger: createLogger('silent') };
      return [
        new TestChannel(),
        new WebAdapter({ ...web, email: () => undefined, linkFor: () => undefined }),
      ];
    },
  });
  await createCustomer(
    core,
    { name: 'Verdi', status: 'active', identities: [{ kind: 'test', address: 'verdi@x.test' }] },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: 'verdi@x.test', newText: 'Stampante' }));
  if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
  number = outcome.ticketNumber;
  anna = await createStaffAccount(core, {
    email: 'anna@shop.test',
    name: 'Anna Bianchi',
    role: 'admin',
    password: PASSWORD,
    slackUserId: 'U0ANNA',
  });
  // Rows as the helpdesk wrote them before one form: by e-mail, by Slack id.
  await app.database.transaction(async (tx) => {
    await audit(tx, { actor: 'staff:anna@shop.test', action: 'staff.password_set' });
    await audit(tx, { actor: 'slack:U0ANNA', action: 'old.slack' });
  });
  // Slack: Anna (an account) takes the ticket; Luca (SLACK_TECHNICIANS only) too.
  for (const [userId, name] of [
    ['U0ANNA', 'Anna Bianchi'],
    ['U0LUCA', 'Luca'],
  ] as const) {
    await takeTicket(core, number, {
      userId,
      name,
      actor: await slackTechnicianActor(core.database, userId),
    });
  }
  // REST API: the caller names the technician.
  const logged = await app.api(`/tickets/${number}/time`, {
    body: { technician: 'anna bianchi', minutes: 30 },
  });
  expect(logged.status).toBe(201);
  // The dashboard: signing in is audited.
  cookie = (await staffSession(app.url, { email: 'anna@shop.test', password: PASSWORD })).cookie;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('audit actors', () => {
  it('a Slack user with a staff account acts as that account; one without keeps its Slack id', async () => {
    const { rows: stored } = await app.database.sql.query<{ actor: string }>(
      "select actor from audit_log where action = 'ticket.assigned' order by id",
    );
    expect(stored.map((r) => r.actor)).toEqual([`staff:${anna}`, 'slack:U0LUCA']);
    const { rows: signIn } = await app.database.sql.query<{ actor: string }>(
      "select actor from audit_log where action = 'staff.signed_in'",
    );
    expect(signIn.map((r) => r.actor)).toEqual([`staff:${anna}`]);
  });

  it('shows every actor as a readable name, the stored form beside it', async () => {
    const html = await get('/staff/audit');
    expect(rows(html)).toEqual(
      expect.arrayContaining([
        `Anna Bianchi staff:${anna} | staff.signed_in`,
        `Anna Bianchi staff:${anna} | ticket.assigned`,
        'Slack U0LUCA slack:U0LUCA | ticket.assigned',
        'anna bianchi (API) technician:anna bianchi | time.logged',
        'Anna Bianchi (Slack) slack:U0ANNA | old.slack',
        'Anna Bianchi staff:anna@shop.test | staff.password_set',
      ]),
    );
    expect(html).toContain(`<a href="/staff/audit?actor=staff:${anna}">Anna Bianchi (Slack)</a>`);
  });

  it("finds a person's actions from every channel by name, e-mail or link, and nobody else's", async () => {
    const expected = [
      `Anna Bianchi staff:${anna} | staff.signed_in`,
      'anna bianchi (API) technician:anna bianchi | time.logged',
      `Anna Bianchi staff:${anna} | ticket.assigned`,
      'Anna Bianchi (Slack) slack:U0ANNA | old.slack',
      'Anna Bianchi staff:anna@shop.test | staff.password_set',
    ];
    for (const actor of ['Anna Bianchi', 'anna@shop.test', `staff:${anna}`, 'U0ANNA']) {
      expect(rows(await get(`/staff/audit?actor=${encodeURIComponent(actor)}`)), actor).toEqual(expected);
    }
    expect(rows(await get('/staff/audit?actor=U0LUCA'))).toEqual([
      'Slack U0LUCA slack:U0LUCA | ticket.assigned',
    ]);
  });
});
