import type {
  ChannelAdapter,
  ChannelContext,
  ChannelName,
  InboundMessage,
  OutboundMessage,
  SendResult,
} from '../../src/core/channel.js';
import { DeliveryError } from '../../src/core/errors.js';

// The tests' channel registers its name through the channel contract, like any other channel.
declare module '../../src/core/channel.js' {
  interface ChannelNames {
    test: true;
  }
  interface IdentityKinds {
    test: true;
  }
}

/**
 * A channel adapter for tests: records what it is asked to send, and fails on demand, so the
 * core's delivery rules can be proven without a real peer.
 */
export class TestChannel implements ChannelAdapter {
  /** Runs as the 'test' channel, or stands in for a real one ('email') to test its rules. */
  constructor(readonly name: ChannelName = 'test') {}

  readonly sent: OutboundMessage[] = [];
  attempts = 0;
  context?: ChannelContext;
  private failures: DeliveryError[] = [];
  private counter = 0;

  async start(context: ChannelContext): Promise<void> {
    this.context = context;
  }

  async stop(): Promise<void> {}

  /** The next `times` sends throw this error. */
  failNext(error: DeliveryError, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(error);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    this.attempts++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(message);
    return { externalId: `out-${++this.counter}` };
  }

  /** What was sent to one recipient address, oldest first. */
  sentTo(address: string): OutboundMessage[] {
    return this.sent.filter((m) => m.recipient.address === address);
  }

  async waitForSent(count: number, timeoutMs = 10_000): Promise<OutboundMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.sent.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} sent messages, got ${this.sent.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.sent;
  }
}

let sequence = 0;

/** An inbound message on the test channel with sensible defaults. */
export function inbound(overrides: Partial<InboundMessage> & { from: string }): InboundMessage {
  const { from, ...rest } = overrides;
  sequence++;
  return {
    channel: 'test',
    externalId: `in-${Date.now()}-${sequence}`,
    sender: { kind: 'test', address: from },
    subject: 'Stampante non funziona',
    newText: 'La stampante non stampa più.',
    fullText: 'La stampante non stampa più.',
    attachments: [],
    thread: {},
    receivedAt: new Date(),
    raw: { contentType: 'application/json', data: JSON.stringify({ from }) },
    ...rest,
  };
}

export { DeliveryError };
