import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** The generated API token works, and the store keeps only its SHA-256, never the token. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { API_TOKEN: '' } });
});
afterAll(async () => {
  await app.close();
});

describe('API token at rest', () => {
  it('accepts the generated token, refuses others, and stores only its hash', async () => {
    const token = app.apiToken!;
    expect(token).toMatch(/^[\w-]{32}$/);
    expect((await app.api('/tickets', { token })).status).toBe(200);
    expect((await app.api('/tickets', { token: `${token}x` })).status).toBe(401);
    expect((await app.api('/tickets', { token: token.slice(1) })).status).toBe(401);
    expect((await app.api('/tickets', { token: null })).status).toBe(401);

    const { rows } = await app.database.sql.query<{ key: string; value: string }>(
      'select key, value from instance_settings',
      [],
    );
    expect(JSON.stringify(rows)).not.toContain(token);
    const hash = createHash('sha256').update(token).digest('hex');
    expect(rows).toContainEqual({ key: 'api_token_sha256', value: hash });
    expect(rows.map((r) => r.key)).not.toContain('api_token');
  });
});
