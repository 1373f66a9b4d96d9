import { PGlite, protocol } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeBindExecute,
  encodeCloseStatement,
  encodePrepare,
  encodeQuery,
  parseResponse,
} from '../../src/db/pg-wire.js';

/**
 * Differential test: our hand-written frontend messages against PGlite's own `protocol.serialize`
 * (the node-postgres serializer), on random names, SQL texts and parameter values, byte for byte;
 * then both encodings run through a real backend must give the same rows or the same error.
 * The seed is printed by fast-check on failure; `FC_SEED` replays one.
 */
const { serialize } = protocol;
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
const runs = { seed, numRuns: 300 };

const concat = (...parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));
/** C strings cannot hold NUL; any other code unit (lone surrogates too) must encode the same. */
const cstring = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replaceAll('\u0000', ''));
const value = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.uint8Array({ maxLength: 300 }),
);
const types = fc.array(fc.constantFrom(0, 17, 23, 25, 114, 1009, 3802), { maxLength: 6 });

describe('PostgreSQL wire messages against PGlite’s serializer', () => {
  let pg: PGlite;

  beforeAll(async () => {
    pg = new PGlite();
    await pg.waitReady;
    console.info(`pg-wire differential seed: ${seed} (FC_SEED=${seed} to replay)`);
  });
  afterAll(async () => {
    await pg.close();
  });

  it('encodes Parse + Describe + Sync as PGlite does', () => {
    fc.assert(
      fc.property(cstring, cstring, (name, text) => {
        const theirs = concat(
          serialize.parse({ name, text, types: [] }),
          serialize.describe({ type: 'S', name }),
          serialize.sync(),
        );
        expect(Buffer.from(encodePrepare(name, text))).toEqual(theirs);
      }),
      runs,
    );
  });

  it('encodes Bind + Execute + Sync, with and without a Parse, as PGlite does', () => {
    fc.assert(
      fc.property(
        cstring,
        cstring,
        fc.array(value, { maxLength: 12 }),
        types,
        (statement, text, values, paramTypes) => {
          const bind = concat(serialize.bind({ statement, values }), serialize.execute({}), serialize.sync());
          expect(Buffer.from(encodeBindExecute(statement, values))).toEqual(bind);
          const withParse = concat(serialize.parse({ name: statement, text, types: paramTypes }), bind);
          expect(Buffer.from(encodeBindExecute(statement, values, { text, paramTypes }))).toEqual(withParse);
        },
      ),
      runs,
    );
  });

  it('encodes Query and Close + Sync as PGlite does', () => {
    fc.assert(
      fc.property(cstring, (text) => {
        expect(Buffer.from(encodeQuery(text))).toEqual(Buffer.from(serialize.query(text)));
        expect(Buffer.from(encodeCloseStatement(text))).toEqual(
          concat(serialize.close({ type: 'S', name: text }), serialize.sync()),
        );
      }),
      runs,
    );
  });

  it('gets the same rows or the same error from the backend for either encoding', () => {
    const sql = 'select $1::text as t, $2::bytea as b, length($1::text) as n';
    const paramTypes = [25, 17];
    const run = (message: Uint8Array) => parseResponse(pg.execProtocolRawSync(message));
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(null), fc.string({ unit: 'binary', maxLength: 200 })),
        fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 200 })),
        (text, bytes) => {
          const ours = run(encodeBindExecute('', [text, bytes], { text: sql, paramTypes }));
          const theirs = run(
            concat(
              serialize.parse({ name: '', text: sql, types: paramTypes }),
              serialize.bind({ statement: '', values: [text, bytes] }),
              serialize.execute({}),
              serialize.sync(),
            ),
          );
          expect(ours.error?.code).toBe(theirs.error?.code);
          expect(ours.results).toEqual(theirs.results);
          if (!ours.error && text !== null && !text.includes('\u0000')) {
            // The text came back as the UTF-8 PostgreSQL stored (lone surrogates become U+FFFD).
            expect(ours.results[0]!.rows[0]![0]).toBe(Buffer.from(text).toString());
          }
        },
      ),
      { ...runs, numRuns: 200 },
    );
  });
});
