/**
 * Who really wrote a mail, and whether a list manager sent it: list-software headers (Mailman,
 * fml, Majordomo, Sympa, ezmlm, Google Groups), our own support address used as a group or list
 * (`MAIL_OWN_LISTS`), and form mailers that write from `noreply@` with the requester in Reply-To.
 * Rules and sources: docs/automatic-mail.md.
 */
import type { ParsedMail } from 'mailparser';
import type { SenderIdentity } from '../../core/channel.js';
import { isMachineAddress, machineAddressKind } from '../../core/machine-address.js';
import { rawHeaderValues } from './mail-headers.js';

/** Our own addresses, as the email channel knows them. */
export interface OwnMailIdentity {
  /** MAIL_FROM, lower-case. */
  address?: string;
  /** Lists and groups that are our support address (MAIL_OWN_LISTS), lower-case addresses. */
  ownLists?: readonly string[];
}

/** Headers only list managers write, and the software that writes each. */
const LIST_SOFTWARE_HEADERS = [
  'x-mailman-version', // Mailman
  'x-mlserver', // fml
  'x-ml-name', // fml, other Japanese list servers
  'x-mailing-list', // Majordomo, ezmlm
  'mailing-list', // ezmlm, Google Groups
  'x-sympa-to', // Sympa
  'x-list', // Majordomo
  'x-google-group-id', // Google Groups
  'x-loop', // fml, SmartList, procmail loops
  'x-beenthere', // Mailman
];

/** The bare addresses in a header value (`"A" <a@b>, c@d`), lower-case. */
function addressesIn(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1]!);
  const found = bracketed.length > 0 ? bracketed : (value.match(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g) ?? []);
  return found.map((address) => address.replace(/^mailto:/i, '').toLowerCase());
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** The own addresses whose list this could be: MAIL_OWN_LISTS, else MAIL_FROM. */
function ownListAddresses(own: OwnMailIdentity): string[] {
  const lists = own.ownLists && own.ownLists.length > 0 ? own.ownLists : own.address ? [own.address] : [];
  return lists.map((address) => address.toLowerCase());
}

/**
 * Whether the mail came through a list or group that is our own support address: its `List-Id`
 * is `<local.domain>` or names `local@domain`, or its `List-Post` is `mailto:local@domain` of an
 * address in `MAIL_OWN_LISTS` (MAIL_FROM when that is empty).
 */
export function isOwnListMail(parsed: ParsedMail, own: OwnMailIdentity): boolean {
  const addresses = ownListAddresses(own);
  if (addresses.length === 0) return false;
  for (const value of rawHeaderValues(parsed, 'list-id')) {
    const id = (/<([^<>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
    for (const address of addresses) {
      if (id === address || id === address.replace('@', '.') || addressesIn(value).includes(address))
        return true;
    }
  }
  for (const value of rawHeaderValues(parsed, 'list-post')) {
    if (addressesIn(value).some((address) => addresses.includes(address))) return true;
  }
  return false;
}

/**
 * A list manager's mark on the mail (a list-software header, `Sender:` or `Return-Path:` of a
 * list manager such as `owner-…` or `…-request@`), as a short reason; undefined when none.
 */
export function listManagerSignal(parsed: ParsedMail): string | undefined {
  for (const name of LIST_SOFTWARE_HEADERS) {
    const value = rawHeaderValues(parsed, name)[0];
    if (value !== undefined) return `${name}: ${value.slice(0, 120)}`;
  }
  for (const name of ['sender', 'return-path']) {
    for (const value of rawHeaderValues(parsed, name)) {
      const address = addressesIn(value)[0];
      if (address && machineAddressKind(address) === 'list_manager') return `${name}: ${address}`;
    }
  }
  return undefined;
}

function mailboxesOf(header: unknown): { address: string; name?: string }[] {
  if (!header || typeof header !== 'object' || !('value' in header) || !Array.isArray(header.value))
    return [];
  return (
    header.value as { address?: string; name?: string; group?: { address?: string; name?: string }[] }[]
  )
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .filter((entry): entry is { address: string; name?: string } => Boolean(entry.address?.includes('@')))
    .map((entry) => ({ address: entry.address.trim().toLowerCase(), name: entry.name?.trim() || undefined }));
}

function isOwn(address: string, own: OwnMailIdentity): boolean {
  const mine = [own.address, ...(own.ownLists ?? [])].filter(Boolean).map((a) => a!.toLowerCase());
  return mine.some((ownAddress) => {
    const [local, domain] = ownAddress.split('@');
    return address === ownAddress || (address.startsWith(`${local}+`) && domainOf(address) === domain);
  });
}

/** How the person behind a mail was found, when it is not simply From. */
export type SenderSource = 'from' | 'reply_to' | 'original_from';

/**
 * The person who wrote the mail. When From is a machine (`noreply@`, a list manager) or our own
 * address (a group rewriting From, as Google Groups does), and `X-Original-From` (own groups) or a
 * single Reply-To names a person, that person is the sender: a contact form's requester, a
 * customer writing to our group. Otherwise `fromSender` is kept.
 */
export function personSender(
  parsed: ParsedMail,
  fromSender: SenderIdentity,
  own: OwnMailIdentity,
): { sender: SenderIdentity; source: SenderSource } {
  const from = fromSender.address;
  const machineFrom = from !== '' && isMachineAddress(from);
  const ownFrom = from !== '' && isOwn(from, own);
  if (!machineFrom && !ownFrom) return { sender: fromSender, source: 'from' };
  const person = (entry: { address: string }): boolean =>
    !isMachineAddress(entry.address) && !isOwn(entry.address, own);
  if (ownFrom) {
    const original = addressesIn(rawHeaderValues(parsed, 'x-original-from')[0] ?? '').filter((a) =>
      person({ address: a }),
    );
    if (original.length === 1) {
      const name = /^\s*"?([^"<]*?)"?\s*</.exec(rawHeaderValues(parsed, 'x-original-from')[0] ?? '')?.[1];
      return {
        sender: { kind: 'email', address: original[0]!, ...(name ? { displayName: name } : {}) },
        source: 'original_from',
      };
    }
  }
  const replyTo = mailboxesOf(parsed.replyTo);
  if (replyTo.length === 1 && person(replyTo[0]!)) {
    const { address, name } = replyTo[0]!;
    return { sender: { kind: 'email', address, ...(name ? { displayName: name } : {}) }, source: 'reply_to' };
  }
  return { sender: fromSender, source: 'from' };
}
