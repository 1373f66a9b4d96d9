/**
 * CSV for Italian Excel (issue #24, reused by the reports of #25): UTF-8 with a BOM, `;` between
 * fields, CRLF, amounts with a decimal comma ({@link centsToDecimalComma} in billing/money.ts).
 */

/**
 * A cell of text someone else wrote (a customer's name, a ticket's subject): one starting with
 * `=`, `+`, `-`, `@`, tab or CR would run as a formula in Excel, so it gets a leading `'`
 * (OWASP, "CSV Injection"). Numbers and amounts are ours and stay as they are.
 */
export function textCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A field quoted when it holds `;`, `"` or a line break (RFC 4180 quoting). */
export function csvCell(value: string | number): string {
  const text = String(value);
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows (header first) as one CSV document: BOM, `;`, CRLF after every row. */
export function excelCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(';')).join('\r\n')}\r\n`;
}
