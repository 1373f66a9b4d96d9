import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Reply tokens: `hd<ticketNumber>x<16 base32 chars of HMAC-SHA256>`. They go into the Message-ID
 * and the Reply-To address of our outbound mail, so a reply can be matched to its ticket even when
 * the client drops In-Reply-To. Knowing a ticket number is not enough to forge one.
 */
const TOKEN_PATTERN = /hd(\d{1,10})x([a-z2-7]{16})/gi;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function signature(secret: string, ticketNumber: number): string {
  return base32(createHmac('sha256', secret).update(`ticket:${ticketNumber}`).digest(), 16);
}

export function createReplyToken(secret: string, ticketNumber: number): string {
  return `hd${ticketNumber}x${signature(secret, ticketNumber)}`;
}

/** The ticket number a token stands for, or undefined when the token is not genuine. */
export function verifyReplyToken(secret: string, token: string): number | undefined {
  const match = /^hd(\d{1,10})x([a-z2-7]{16})$/i.exec(token);
  if (!match) return undefined;
  const ticketNumber = Number(match[1]);
  const expected = Buffer.from(signature(secret, ticketNumber));
  const given = Buffer.from(match[2]!.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected) ? ticketNumber : undefined;
}

/** Every token-shaped string in a text (headers, addresses); genuineness is checked later. */
export function findReplyTokens(text: string): string[] {
  return [...text.matchAll(TOKEN_PATTERN)].map((m) => m[0].toLowerCase());
}
