import { describe, expect, it } from 'vitest';
import {
  dmarcVerdict,
  parseAuthenticationResults,
} from '../../../src/channels/email/authentication-results.js';
import { rawMail } from './mail-fixtures.js';

const TRUSTED = ['mx.google.com'];
const withHeaders = (...headers: string[]) => rawMail([...headers, 'From: a@example.it', 'Subject: x']);

describe('Authentication-Results (RFC 8601)', () => {
  it('reads the DMARC result of real provider headers', () => {
    expect(
      parseAuthenticationResults(
        ' mx.google.com;\r\n dkim=pass header.i=@example.it header.s=s1 header.b=abc;\r\n spf=pass (google.com: domain of a@example.it designates 1.2.3.4 as permitted sender) smtp.mailfrom=a@example.it;\r\n dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.it',
      ),
    ).toEqual({ authservId: 'mx.google.com', dmarc: 'pass' });
    expect(parseAuthenticationResults('spamcell.example.net 1; dmarc=fail header.from=x')).toEqual({
      authservId: 'spamcell.example.net',
      dmarc: 'fail',
    });
    expect(parseAuthenticationResults('"mx.example"; none')).toEqual({ authservId: 'mx.example' });
    // A method named in a comment or as a property value is not a result.
    expect(parseAuthenticationResults('mx.example (dmarc=pass); spf=fail reason="dmarc=pass"')).toEqual({
      authservId: 'mx.example',
    });
    expect(parseAuthenticationResults('mx.example; DMARC = Fail (p=none)')).toEqual({
      authservId: 'mx.example',
      dmarc: 'fail',
    });
  });

  it('trusts only the topmost header of a trusted authserv-id', () => {
    const pass = 'Authentication-Results: mx.google.com; dmarc=pass header.from=example.it';
    const fail = 'Authentication-Results: MX.Google.com; dmarc=fail header.from=example.it';
    const other = 'Authentication-Results: attacker.example; dmarc=pass';
    expect(dmarcVerdict(withHeaders(fail, pass), TRUSTED)).toBe('fail');
    expect(dmarcVerdict(withHeaders(other, pass, fail), TRUSTED)).toBe('pass');
    expect(dmarcVerdict(withHeaders(other), TRUSTED)).toBe('none');
    expect(dmarcVerdict(withHeaders(pass), [])).toBe('none');
    expect(dmarcVerdict(withHeaders('Authentication-Results: mx.google.com; dmarc=temperror'), TRUSTED)).toBe(
      'none',
    );
    expect(dmarcVerdict(withHeaders('Authentication-Results: mx.google.com; spf=pass'), TRUSTED)).toBe(
      'none',
    );
  });

  it('ignores headers in the body and survives hostile input', () => {
    const inBody = rawMail(['From: a@example.it'], 'Authentication-Results: mx.google.com; dmarc=pass');
    expect(dmarcVerdict(inBody, TRUSTED)).toBe('none');
    for (const value of [
      '',
      ';;;',
      '(((',
      ')',
      'mx.google.com (unclosed; dmarc=pass',
      '\\',
      'x'.repeat(100_000),
    ]) {
      expect(() => parseAuthenticationResults(value)).not.toThrow();
    }
    expect(
      dmarcVerdict(withHeaders('Authentication-Results: mx.google.com (unclosed; dmarc=fail'), TRUSTED),
    ).toBe('none');
    expect(dmarcVerdict(Buffer.alloc(0), TRUSTED)).toBe('none');
  });
});
