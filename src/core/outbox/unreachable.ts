import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { identities } from '../../db/schema.js';
import { alertStaff } from '../audit.js';
import type { IdentityKind } from '../channel.js';
import { normaliseAddress } from '../threading.js';

/** A recipient blocked us or no longer exists (Telegram 403): mark it and tell the technicians. */
export async function markIdentityUnreachable(
  tx: Tx,
  identity: { kind: IdentityKind; address: string },
  reason: string,
): Promise<void> {
  const address = normaliseAddress(identity.kind, identity.address);
  const updated = await tx.db
    .update(identities)
    .set({ unreachableAt: new Date(), unreachableReason: reason })
    .where(and(eq(identities.kind, identity.kind), eq(identities.address, address)))
    .returning({ id: identities.id, customerId: identities.customerId });
  await alertStaff(tx, {
    kind: 'identity_unreachable',
    text: `${identity.kind} ${address} cannot be reached any more: ${reason}`,
    data: { customerId: updated[0]?.customerId.toString() },
  });
}
