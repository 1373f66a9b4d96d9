/**
 * Who did it: the `actor` of audit entries (#25). One form per kind of person, so the same
 * technician is one actor on every channel where the helpdesk can tell who they are:
 *
 * | actor | who | written by |
 * |---|---|---|
 * | `staff:<account id>` | a staff account (a person with a dashboard sign-in) | the dashboard; Slack when the Slack user id is an account's |
 * | `slack:<Slack user id>` | a Slack technician with no staff account (`SLACK_TECHNICIANS`) | Slack |
 * | `technician:<name>` | a technician as the REST API caller names them (one shared token: the name is not proven) | the REST API |
 * | `<channel>:<address>`, `web`, `web:<email>` | a customer | channels, the portal |
 * | `system`, `consent`, `cli`, `api` | the helpdesk itself, the admin CLI, the API token with no technician named | |
 *
 * Rows written before this rule (`staff:<email>`, `slack:<id>` of a person with an account) are
 * not rewritten — the log is append-only — but read through {@link actorDirectory}, which names
 * them and finds them with the person's other actions.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { staffAccounts } from '../db/schema.js';

/** The actor of a staff account. */
export const staffActor = (accountId: bigint): string => `staff:${accountId}`;

/** The actor of a technician named by a REST API call (the shared token names nobody). */
export const namedTechnicianActor = (name: string): string => `technician:${name}`;

/**
 * The actor of a Slack user acting as a technician: their staff account's (`staff:<id>`) when an
 * account, enabled or not, carries this Slack user id; else `slack:<id>`. `store` is the
 * transaction when inside one.
 */
export async function slackTechnicianActor(store: { db: Db }, slackUserId: string): Promise<string> {
  const [row] = await store.db
    .select({ id: staffAccounts.id })
    .from(staffAccounts)
    .where(eq(staffAccounts.slackUserId, slackUserId));
  return row ? staffActor(row.id) : `slack:${slackUserId}`;
}

interface StaffPerson {
  id: bigint;
  email: string;
  name: string;
  slackUserId: string | null;
}

/** The actors of the filter: exact ones, and ones compared in lower case (API names). */
export interface ActorMatch {
  exact: string[];
  lowerCase: string[];
}

/** Reads actors as people: labels for the audit page and the person behind a filter. */
export interface ActorDirectory {
  /** A readable name: `Anna Bianchi`, `Anna Bianchi (Slack)`, `Luca (API)`, `Slack U0123`; else the actor. */
  label(actor: string): string;
  /** The account behind an actor, when there is one (for a link to all their actions). */
  accountOf(actor: string): bigint | undefined;
  /**
   * The actors to find for what a person typed in the filter: a staff account's id form, e-mail,
   * name or Slack id finds the account's actions from every channel (`staff:<id>`, an older
   * `staff:<email>`, `slack:<its Slack id>`, `technician:<its name>` in any case); anything else
   * finds that exact actor, `slack:<text>` (a Slack-only technician's id) and `technician:<text>`
   * in any case.
   */
  match(text: string): ActorMatch;
}

/** Loads the staff accounts (a small table) once for one page of the audit log. */
export async function actorDirectory(db: Db): Promise<ActorDirectory> {
  const people: StaffPerson[] = await db
    .select({
      id: staffAccounts.id,
      email: staffAccounts.email,
      name: staffAccounts.name,
      slackUserId: staffAccounts.slackUserId,
    })
    .from(staffAccounts);
  const personOf = (actor: string): StaffPerson | undefined => {
    const colon = actor.indexOf(':');
    const kind = actor.slice(0, colon);
    const key = actor.slice(colon + 1);
    if (kind === 'staff') return people.find((p) => p.id.toString() === key || p.email === key);
    if (kind === 'slack') return people.find((p) => p.slackUserId === key);
    return undefined;
  };
  return {
    label(actor) {
      const person = personOf(actor);
      if (person) return actor.startsWith('slack:') ? `${person.name} (Slack)` : person.name;
      if (actor.startsWith('technician:')) return `${actor.slice('technician:'.length)} (API)`;
      if (actor.startsWith('slack:')) return `Slack ${actor.slice('slack:'.length)}`;
      return actor;
    },
    accountOf: (actor) => personOf(actor)?.id,
    match(text) {
      const wanted = text.trim();
      const lower = wanted.toLowerCase();
      const found = personOf(wanted);
      const matches = found
        ? [found]
        : people.filter(
            (p) => p.email === lower || p.name.toLowerCase() === lower || p.slackUserId === wanted,
          );
      if (matches.length === 0) {
        return { exact: [wanted, `slack:${wanted}`], lowerCase: [`technician:${lower}`] };
      }
      return {
        exact: matches.flatMap((p) => [
          staffActor(p.id),
          `staff:${p.email}`,
          ...(p.slackUserId ? [`slack:${p.slackUserId}`] : []),
        ]),
        lowerCase: matches.map((p) => `technician:${p.name.toLowerCase()}`),
      };
    },
  };
}
