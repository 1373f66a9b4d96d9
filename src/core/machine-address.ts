/**
 * Addresses that belong to machines, not people: delivery systems, list managers, no-reply
 * senders. Nothing automatic is ever sent to them (RFC 3834 §2: no automatic answer to mail from
 * a list or a machine), and their mail never counts as a person's. Pure: no I/O.
 */

/** What kind of machine an address belongs to. */
export type MachineAddressKind = 'delivery_system' | 'list_manager' | 'no_reply' | 'bounce_handler';

/** `mailer-daemon`, `postmaster`: the senders of delivery reports (RFC 5321 §4.5.1). */
const DELIVERY_SYSTEM = /^(mailer[-_.]?daemon|mail[-_.]daemon|postmaster)$/i;
/** `owner-list`, `list-owner`, `list-request`, `list-bounces` (Majordomo, Mailman, Sympa, fml). */
const LIST_MANAGER = /^(owner-.+|.+-(owner|request|admin|bounces?)|majordomo|listserv|sympa|fml|mailman)$/i;
/** `noreply`, `no-reply`, `no_reply`, `donotreply`, `do-not-reply`, and the same with a suffix. */
const NO_REPLY = /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|non[-_.]?rispondere)([-_.+].*)?$/i;
/** `bounce`, `bounces`, `bounce-123`, `bounces+token` (return paths of bulk senders). */
const BOUNCE_HANDLER = /^bounces?([-_.+].*)?$/i;

/** The local part of `local@domain` (or of a bare word), without a trailing `+tag`. */
function localPartOf(address: string): string {
  const bare = address.trim().replace(/^<|>$/g, '');
  const at = bare.lastIndexOf('@');
  return at >= 0 ? bare.slice(0, at) : bare;
}

/**
 * The kind of machine an email address belongs to, judged by its local part; undefined for an
 * address that may be a person's. `Info@`, `support@` and the like are people's (shops write
 * from them).
 */
export function machineAddressKind(address: string): MachineAddressKind | undefined {
  const local = localPartOf(address).replace(/^"|"$/g, '');
  if (local === '') return undefined;
  if (DELIVERY_SYSTEM.test(local)) return 'delivery_system';
  if (NO_REPLY.test(local)) return 'no_reply';
  if (BOUNCE_HANDLER.test(local)) return 'bounce_handler';
  if (LIST_MANAGER.test(local)) return 'list_manager';
  return undefined;
}

/** Whether an email address belongs to a machine (see {@link machineAddressKind}). */
export function isMachineAddress(address: string): boolean {
  return machineAddressKind(address) !== undefined;
}
