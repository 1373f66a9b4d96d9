import type { Database, Tx } from '../db/database.js';

interface Pending<In, Out> {
  input: In;
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

export interface BatchOptions {
  /** Most inputs in one transaction. */
  maxBatch: number;
  /** Transactions at once (1 for the embedded store, which runs one at a time anyway). */
  concurrency: number;
}

/**
 * Group commit for inbound messages. Inputs that arrive while a transaction is running are
 * stored together in the next one: one BEGIN/COMMIT (and one WAL flush) for the group instead of
 * one per message, which is most of the store's cost per message once the statements themselves
 * are cheap. A lone input runs alone, so an idle helpdesk answers as fast as before.
 *
 * A group is all or nothing, so any error in it (a duplicate, a conflict, a store error) rolls it
 * back and every input of the group runs again on its own, through `runAlone`, which reports its
 * own outcome or error: an input's result never depends on what else shared its batch. `runInTx`
 * must therefore have no effects outside the transaction.
 */
export class TransactionBatches<In, Out> {
  private readonly queue: Pending<In, Out>[] = [];
  private running = 0;

  constructor(
    private readonly database: Database,
    private readonly runInTx: (tx: Tx, input: In) => Promise<Out>,
    private readonly runAlone: (input: In) => Promise<Out>,
    private readonly afterCommit: () => void,
    private readonly options: BatchOptions,
  ) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.running < this.options.concurrency) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      while (this.queue.length > 0) {
        // One turn of the event loop lets callers whose previous message just committed queue
        // their next one, so they share this transaction instead of each taking its own.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = this.queue.splice(0, this.options.maxBatch);
        if (batch.length === 0) break; // another drain took them
        if (batch.length === 1) {
          await this.alone(batch[0]!);
        } else {
          await this.together(batch);
        }
      }
    } finally {
      this.running--;
    }
  }

  private async alone(item: Pending<In, Out>): Promise<void> {
    try {
      item.resolve(await this.runAlone(item.input));
    } catch (error) {
      item.reject(error);
    }
  }

  private async together(batch: Pending<In, Out>[]): Promise<void> {
    let outputs: Out[];
    try {
      outputs = await this.database.transaction(async (tx) => {
        const results: Out[] = [];
        for (const item of batch) results.push(await this.runInTx(tx, item.input));
        return results;
      });
    } catch {
      for (const item of batch) await this.alone(item);
      return;
    }
    this.afterCommit();
    for (const [i, item] of batch.entries()) item.resolve(outputs[i]!);
  }
}
