import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { isMachineAddress, machineAddressKind } from '../../src/core/machine-address.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

/**
 * Issue 17 item 7 and issue 18 items 1 and 8, in the core: nothing automatic goes to a machine
 * address, whichever path would send it; old mail marked by its channel gets no answer at all.
 */
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [new TestChannel()] });
});
afterAll(async () => {
  await app.close();
});

function emailFrom(address: string, extra: Parameters<typeof inbound>[0] | object = {}) {
  return inbound({
    from: address,
    channel: 'email',
    sender: { kind: 'email', address },
    externalId: `<${Math.random().toString(36).slice(2)}@mittente.example>`,
    ...extra,
  });
}

async function deliveriesTo(address: string) {
  const { rows } = await app.database.sql.query<{ status: string; last_error: string | null }>(
    'select status, last_error from deliveries where recipient_address = $1 order by id',
    [address],
  );
  return rows;
}

describe('automatic answers', () => {
  it.each([
    'noreply@fornitore.example',
    'mailer-daemon@mx.fornitore.example',
    'utenti-request@liste.example',
    'owner-utenti@liste.example',
    'bounces+x1@invii.example',
  ])('an unknown %s, even if not recognised as automatic, is never written to', async (address) => {
    const outcome = await app.channelContext.ingest(emailFrom(address));
    expect(outcome.status).toBe('unmatched');
    await app.settle();
    const rows = await deliveriesTo(address);
    expect(rows.map((row) => row.status)).toEqual(['suppressed']);
    expect(rows[0]!.last_error).toContain('machine address');
  });

  it('a customer’s mail the channel marks as too old opens its ticket with no acknowledgement', async () => {
    const address = 'vecchio@cliente.example';
    await createCustomer(
      app.core,
      { name: 'Vecchio', status: 'active', identities: [{ kind: 'email', address }] },
      'test',
    );
    const outcome = await app.channelContext.ingest(
      emailFrom(address, { noAutomaticAnswer: 'reached the mailbox 72 h ago' }),
    );
    expect(outcome.status).toBe('new_ticket');
    await app.settle();
    expect(await deliveriesTo(address)).toEqual([]);
  });

  it('an unknown sender’s old mail is kept as unmatched and not answered', async () => {
    const address = 'sconosciuto@altrove.example';
    const outcome = await app.channelContext.ingest(emailFrom(address, { noAutomaticAnswer: 'old' }));
    expect(outcome.status).toBe('unmatched');
    await app.settle();
    expect(await deliveriesTo(address)).toEqual([]);
  });
});

describe('machineAddressKind', () => {
  it.each([
    ['noreply@x.example', 'no_reply'],
    ['no_reply@x.example', 'no_reply'],
    ['no-reply-fatture@x.example', 'no_reply'],
    ['donotreply@x.example', 'no_reply'],
    ['do_not_reply@x.example', 'no_reply'],
    ['MAILER-DAEMON@x.example', 'delivery_system'],
    ['postmaster@x.example', 'delivery_system'],
    ['owner-lista@x.example', 'list_manager'],
    ['lista-request@x.example', 'list_manager'],
    ['lista-bounces@x.example', 'list_manager'],
    ['bounce@x.example', 'bounce_handler'],
    ['bounces+abc=cliente.example@x.example', 'bounce_handler'],
    ['"noreply"@x.example', 'no_reply'],
  ])('%s → %s', (address, kind) => {
    expect(machineAddressKind(address)).toBe(kind);
  });

  it.each([
    'info@x.example',
    'assistenza@x.example',
    'noreen@x.example',
    'owner@x.example',
    'requests@x.example',
    '',
    '@x.example',
  ])('%s is not a machine', (address) => {
    expect(isMachineAddress(address)).toBe(false);
  });
});
