import type { Role } from 'src/auth/permissions';
import type { Http, TestApp } from './test-app';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Requests that carry one bearer token: `client.post(path).send(body).expect(201)`. */
export type Client = Readonly<Record<Method, (path: string) => ReturnType<Http['get']>>>;
export type ActingAs = (role: Role) => Client;

const ROLES: readonly Role[] = ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'];

/** A client for any bearer token (a service token, a user's own), instead of `.auth(token, { type: 'bearer' })` on every request. */
export function withToken(http: Http, token: string): Client {
  const auth = { type: 'bearer' as const };
  return {
    get: (path) => http.get(path).auth(token, auth),
    post: (path) => http.post(path).auth(token, auth),
    put: (path) => http.put(path).auth(token, auth),
    patch: (path) => http.patch(path).auth(token, auth),
    delete: (path) => http.delete(path).auth(token, auth),
  };
}

/** Signs in once per role, then `as('OPERATOR').post(path)` sends that role's token. */
export async function actingAs(
  t: Pick<TestApp, 'http' | 'tokenFor'>,
  roles: readonly Role[] = ROLES,
): Promise<ActingAs> {
  const clients = new Map<Role, Client>();
  for (const role of roles) clients.set(role, withToken(t.http, await t.tokenFor(role)));
  return (role) => {
    const client = clients.get(role);
    if (client === undefined) throw new Error(`actingAs was not given the role ${role}`);
    return client;
  };
}
