import { protocol } from '@electric-sql/pglite';

/**
 * The few PostgreSQL wire-protocol messages the embedded connection exchanges with PGlite,
 * encoded and decoded in one pass. pg-protocol's general-purpose writer grows and copies its
 * buffer per field and its parser builds an object per message: on the embedded store's hot path
 * that was a sixth of the CPU. Pure functions over bytes; see src/db/embedded-connection.ts.
 */

/** A parameter value as sent: text, raw bytes (sent in binary format, for bytea), or NULL. */
export type WireValue = string | Uint8Array | null;

export interface WireField {
  name: string;
  dataTypeID: number;
}

/** One statement's result: its columns, its rows as text, its command tag. */
/** One row's values: text, bytes (a column asked for in binary format), or NULL. */
export type WireRow = Array<string | Uint8Array | null>;

export interface WireResultSet {
  fields: WireField[];
  rows: WireRow[];
  command?: string;
}

export interface WireResponse {
  /** Result sets in order; a simple query with several statements has several. */
  results: WireResultSet[];
  /** From ParameterDescription (Describe of a statement). */
  paramTypes?: number[];
  /** The first error; PostgreSQL skips to Sync after it. */
  error?: InstanceType<typeof protocol.messages.DatabaseError>;
}

const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);

function cstringLength(text: string): number {
  return Buffer.byteLength(text) + 1;
}

class MessageWriter {
  readonly buffer: Buffer;
  offset = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  start(code: string, bodyLength: number): void {
    this.buffer[this.offset] = code.charCodeAt(0);
    this.buffer.writeInt32BE(bodyLength + 4, this.offset + 1);
    this.offset += 5;
  }

  cstring(text: string): void {
    this.offset += this.buffer.write(text, this.offset);
    this.buffer[this.offset++] = 0;
  }

  int16(value: number): void {
    this.buffer.writeInt16BE(value, this.offset);
    this.offset += 2;
  }

  int32(value: number): void {
    this.buffer.writeInt32BE(value, this.offset);
    this.offset += 4;
  }

  bytes(value: Uint8Array): void {
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  sync(): Uint8Array {
    this.bytes(SYNC);
    return this.buffer.subarray(0, this.offset);
  }
}

/** Parse (named statement) + Describe statement + Sync. */
export function encodePrepare(name: string, text: string): Uint8Array {
  const parseBody = cstringLength(name) + cstringLength(text) + 2;
  const describeBody = 1 + cstringLength(name);
  const writer = new MessageWriter(5 + parseBody + 5 + describeBody + SYNC.length);
  writer.start('P', parseBody);
  writer.cstring(name);
  writer.cstring(text);
  writer.int16(0);
  writer.start('D', describeBody);
  writer.buffer[writer.offset++] = 0x53; // 'S'
  writer.cstring(name);
  return writer.sync();
}

/**
 * Bind (unnamed portal) + Execute + Sync; bytes go in binary format. Results come as text, except
 * the columns `binaryResults` marks (bytea: raw bytes instead of hex text twice their size). With
 * `parse`, a Parse of the unnamed statement comes first (planned for these values, not kept).
 */
export function encodeBindExecute(
  statement: string,
  values: WireValue[],
  parse?: { text: string; paramTypes: number[] },
  binaryResults?: readonly boolean[],
): Uint8Array {
  const formats = binaryResults?.some(Boolean) ? binaryResults : [];
  const encoded = values.map((value) => (typeof value === 'string' ? Buffer.from(value) : value));
  let bindBody = 1 + cstringLength(statement) + 2 + 2 * values.length + 2 + 2 + 2 * formats.length;
  for (const value of encoded) bindBody += 4 + (value?.length ?? 0);
  const executeBody = 1 + 4;
  const parseBody = parse
    ? cstringLength(statement) + cstringLength(parse.text) + 2 + 4 * parse.paramTypes.length
    : 0;
  const writer = new MessageWriter(
    (parse ? 5 + parseBody : 0) + 5 + bindBody + 5 + executeBody + SYNC.length,
  );
  if (parse) {
    writer.start('P', parseBody);
    writer.cstring(statement);
    writer.cstring(parse.text);
    writer.int16(parse.paramTypes.length);
    for (const type of parse.paramTypes) writer.int32(type);
  }
  writer.start('B', bindBody);
  writer.buffer[writer.offset++] = 0; // unnamed portal
  writer.cstring(statement);
  writer.int16(values.length);
  for (const value of values) writer.int16(value instanceof Uint8Array ? 1 : 0);
  writer.int16(values.length);
  for (const value of encoded) {
    if (value === null) {
      writer.int32(-1);
    } else {
      writer.int32(value.length);
      writer.bytes(value);
    }
  }
  writer.int16(formats.length); // none: all results as text
  for (const binary of formats) writer.int16(binary ? 1 : 0);
  writer.start('E', executeBody);
  writer.buffer[writer.offset++] = 0;
  writer.int32(0);
  return writer.sync();
}

/** A simple Query (several statements allowed, no parameters). */
export function encodeQuery(text: string): Uint8Array {
  const body = cstringLength(text);
  const writer = new MessageWriter(5 + body);
  writer.start('Q', body);
  writer.cstring(text);
  return writer.buffer.subarray(0, writer.offset);
}

/** Close (statement) + Sync. */
export function encodeCloseStatement(name: string): Uint8Array {
  const body = 1 + cstringLength(name);
  const writer = new MessageWriter(5 + body + SYNC.length);
  writer.start('C', body);
  writer.buffer[writer.offset++] = 0x53;
  writer.cstring(name);
  return writer.sync();
}

const ERROR_FIELDS: Record<string, string> = {
  S: 'severity',
  C: 'code',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
};

function readCString(bytes: Buffer, offset: number): [string, number] {
  const end = bytes.indexOf(0, offset);
  return [bytes.toString('utf8', offset, end), end + 1];
}

function parseError(bytes: Buffer, start: number, end: number, length: number) {
  const fields: Record<string, string> = {};
  let offset = start;
  while (offset < end && bytes[offset] !== 0) {
    const type = String.fromCharCode(bytes[offset]!);
    const [value, next] = readCString(bytes, offset + 1);
    fields[type] = value;
    offset = next;
  }
  const error = new protocol.messages.DatabaseError(fields.M ?? 'unknown error', length, 'error');
  for (const [type, key] of Object.entries(ERROR_FIELDS)) {
    if (fields[type] !== undefined) (error as unknown as Record<string, string>)[key] = fields[type];
  }
  return error;
}

/**
 * Decodes everything PGlite answered to one batch of messages. Columns `binaryResults` marks are
 * copied out as bytes (the answer's memory is PGlite's to reuse); the others are text.
 */
export function parseResponse(data: Uint8Array, binaryResults?: readonly boolean[]): WireResponse {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const response: WireResponse = { results: [] };
  let current: WireResultSet = { fields: [], rows: [] };
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const code = bytes[offset]!;
    const length = bytes.readInt32BE(offset + 1);
    const start = offset + 5;
    const end = offset + 1 + length;
    switch (code) {
      case 0x44: {
        // DataRow
        const count = bytes.readInt16BE(start);
        const row: WireRow = new Array(count);
        let at = start + 2;
        for (let i = 0; i < count; i++) {
          const size = bytes.readInt32BE(at);
          at += 4;
          if (size < 0) {
            row[i] = null;
          } else {
            row[i] = binaryResults?.[i]
              ? new Uint8Array(bytes.subarray(at, at + size))
              : bytes.toString('utf8', at, at + size);
            at += size;
          }
        }
        current.rows.push(row);
        break;
      }
      case 0x54: {
        // RowDescription
        const count = bytes.readInt16BE(start);
        const fields: WireField[] = new Array(count);
        let at = start + 2;
        for (let i = 0; i < count; i++) {
          const [name, next] = readCString(bytes, at);
          fields[i] = { name, dataTypeID: bytes.readInt32BE(next + 6) };
          at = next + 18;
        }
        current.fields = fields;
        break;
      }
      case 0x43: {
        // CommandComplete
        current.command = readCString(bytes, start)[0];
        response.results.push(current);
        current = { fields: [], rows: [] };
        break;
      }
      case 0x74: {
        // ParameterDescription
        const count = bytes.readInt16BE(start);
        response.paramTypes = Array.from({ length: count }, (_, i) => bytes.readInt32BE(start + 2 + 4 * i));
        break;
      }
      case 0x45: {
        // ErrorResponse: keep the first
        response.error ??= parseError(bytes, start, end, length);
        break;
      }
      default:
        // ParseComplete, BindComplete, CloseComplete, NoData, EmptyQuery, ReadyForQuery, notices.
        break;
    }
    offset = end;
  }
  if (current.fields.length > 0 || current.rows.length > 0) response.results.push(current);
  return response;
}
