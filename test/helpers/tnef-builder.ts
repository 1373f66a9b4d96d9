/**
 * Builds small TNEF (`winmail.dat`) files for tests, as Outlook writes them (MS-OXTNEF): the
 * signature, a key, then attributes of level, id, type, length, data and checksum.
 */

function attribute(level: number, id: number, type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUInt8(level, 0);
  head.writeUInt16LE(id, 1);
  head.writeUInt16LE(type, 3);
  head.writeUInt32LE(data.length, 5);
  const checksum = Buffer.alloc(2);
  checksum.writeUInt16LE(
    data.reduce((sum, byte) => (sum + byte) & 0xffff, 0),
    0,
  );
  return Buffer.concat([head, data, checksum]);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value, 0);
  return buffer;
}

function pad4(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc(-data.length & 3)]);
}

/** A MAPI property block with 8-bit string properties (PT_STRING8 = 0x001e). */
function mapiStrings(properties: { id: number; value: string }[]): Buffer {
  const parts = [u32(properties.length)];
  for (const property of properties) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(0x001e, 0);
    head.writeUInt16LE(property.id, 2);
    const value = Buffer.from(`${property.value}\0`, 'utf8');
    parts.push(head, u32(1), u32(value.length), pad4(value));
  }
  return Buffer.concat(parts);
}

/** A TNEF file with these attachments and, optionally, a plain-text and an HTML body. */
export function buildTnef(input: {
  files?: { filename: string; content: Buffer }[];
  body?: string;
  html?: string;
}): Buffer {
  const parts: Buffer[] = [u32(0x223e9f78), Buffer.from([0x01, 0x00])];
  parts.push(attribute(1, 0x9006, 0x0008, u32(0x00010000))); // attTnefVersion
  parts.push(attribute(1, 0x8008, 0x0007, Buffer.from('IPM.Microsoft Mail.Note\0'))); // attMessageClass
  const mapi: { id: number; value: string }[] = [];
  if (input.body !== undefined) mapi.push({ id: 0x1000, value: input.body });
  if (input.html !== undefined) mapi.push({ id: 0x1013, value: input.html });
  if (mapi.length > 0) parts.push(attribute(1, 0x9003, 0x0006, mapiStrings(mapi)));
  for (const file of input.files ?? []) {
    parts.push(attribute(2, 0x9002, 0x0006, Buffer.alloc(14))); // attAttachRendData
    parts.push(attribute(2, 0x8010, 0x0001, Buffer.from(`${file.filename}\0`, 'utf8'))); // attAttachTitle
    parts.push(attribute(2, 0x800f, 0x0006, file.content)); // attAttachData
  }
  return Buffer.concat(parts);
}
