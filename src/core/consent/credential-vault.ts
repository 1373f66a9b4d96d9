/**
 * Remote-access credentials in transit (terms T4, T8): held ONLY in this process's memory, for a
 * short time, until the assigned technician reads them once. Never written to the store, the job
 * queue, a log or a file. A technician who does not read them in time loses them, and the
 * customer is asked again.
 */

export interface CredentialHandOver {
  /**
   * Hands the customer's words (the tool's ID and password) to the technician of ticket
   * `ticketNumber`. Returns false when nobody can receive them now: the caller then asks the
   * customer to send them again later. Must not throw, log or store the secret.
   */
  handOver(input: {
    ticketNumber: number;
    technician: string;
    technicianRef?: string;
    secret: string;
  }): boolean;
}

interface Held {
  technician: string;
  secret: string;
  expiresAt: number;
}

/** One-time reads through the REST API (`GET /api/v1/tickets/:number/credentials`). */
export class CredentialVault implements CredentialHandOver {
  private readonly held = new Map<number, Held>();
  /**
   * Told (on the next turn of the event loop, never with the secret) that credentials wait for a
   * ticket: a channel that can reach the technician privately (Slack, ephemeral) takes them.
   */
  readonly onHeld = new Set<(held: { ticketNumber: number; technicianRef?: string }) => void>();

  /**
   * @param ttlMs how long (ms) a hand-over waits to be read.
   * @param now the clock (ms since the epoch).
   */
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  handOver(input: {
    ticketNumber: number;
    technician: string;
    technicianRef?: string;
    secret: string;
  }): boolean {
    if (this.ttlMs <= 0) return false;
    this.put(input);
    const { ticketNumber, technicianRef } = input;
    setImmediate(() => {
      for (const listener of this.onHeld) listener({ ticketNumber, technicianRef });
    });
    return true;
  }

  /** Keeps credentials for the one-time read without telling the listeners (a failed Slack post gives them back). */
  put(input: { ticketNumber: number; technician: string; secret: string }): void {
    this.forgetIfExpired(input.ticketNumber);
    // The ID and the password sent in two messages are read together.
    const unread = this.held.get(input.ticketNumber);
    const secret =
      unread && unread.technician === input.technician ? `${unread.secret}\n${input.secret}` : input.secret;
    this.held.set(input.ticketNumber, {
      technician: input.technician,
      secret,
      expiresAt: this.now() + this.ttlMs,
    });
    const timer = setTimeout(() => this.forgetIfExpired(input.ticketNumber), this.ttlMs + 10);
    timer.unref();
  }

  /** Returns the ticket's credentials once and forgets them; undefined when none (or expired). */
  take(ticketNumber: number): { technician: string; secret: string } | undefined {
    this.forgetIfExpired(ticketNumber);
    const held = this.held.get(ticketNumber);
    this.held.delete(ticketNumber);
    return held ? { technician: held.technician, secret: held.secret } : undefined;
  }

  /** Whether credentials wait for the ticket (without reading them). */
  waiting(ticketNumber: number): boolean {
    this.forgetIfExpired(ticketNumber);
    return this.held.has(ticketNumber);
  }

  private forgetIfExpired(ticketNumber: number): void {
    const held = this.held.get(ticketNumber);
    if (held && held.expiresAt <= this.now()) this.held.delete(ticketNumber);
  }
}
