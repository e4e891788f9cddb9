import type { Http } from './test-app';

let tokenCounter = 0;

/**
 * Factory for a service token made to send telemetry (`telemetry:write`), optionally limited to
 * named flags: `await telemetryToken(t.http, admin, { telemetryFeatureKeys: ['my_flag'] })`.
 */
export async function telemetryToken(
  http: Http,
  adminToken: string,
  overrides: Partial<{ name: string; permissions: string[]; telemetryFeatureKeys: string[] }> = {},
): Promise<string> {
  const body = {
    name: `telemetry-sender-${process.pid}-${++tokenCounter}`,
    permissions: ['telemetry:write'],
    ...overrides,
  };
  const response = await http
    .post('/api/admin/service-tokens')
    .auth(adminToken, { type: 'bearer' })
    .send(body)
    .expect(201);
  return response.body.token as string;
}
