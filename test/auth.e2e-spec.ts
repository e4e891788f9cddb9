import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, startTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app';

const ISSUER = 'flagdog';
const AUDIENCE = 'flagdog-api';

/** Polls `check` until it holds or `withinMs` passes; answers how long it took. */
async function within(withinMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`still not true after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * startTestApp for a second app in this file. PGlite serves one connection, and it frees the
 * previous app's a moment after that app closed, so the first connect may be turned away.
 */
async function startAnotherTestApp(options: Parameters<typeof startTestApp>[0]): Promise<TestApp> {
  const started = Date.now();
  for (;;) {
    try {
      return await startTestApp(options);
    } catch (error) {
      if (Date.now() - started > 3000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

describe('auth', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let viewer: string;
  let emailCounter = 0;
  const uniqueEmail = (label: string): string => `auth-spec-${label}-${++emailCounter}@flagdog.test`;

  beforeAll(async () => {
    t = await startTestApp();
    [admin, operator, viewer] = await Promise.all([
      t.tokenFor('SUPER_ADMIN'),
      t.tokenFor('OPERATOR'),
      t.tokenFor('ANGEL_VIEWER'),
    ]);
  });
  afterAll(() => t.close());

  async function createUser(
    role: 'SUPER_ADMIN' | 'OPERATOR' | 'ANGEL_VIEWER',
    email = uniqueEmail(role.toLowerCase()),
    password = `${role}-password-long-enough`,
  ): Promise<{ id: string; email: string; password: string }> {
    const response = await t.http
      .post('/api/admin/users')
      .auth(admin, { type: 'bearer' })
      .send({ email, password, role })
      .expect(201);
    return { id: response.body.id, email: response.body.email, password };
  }

  const me = (token: string) => t.http.get('/api/auth/me').auth(token, { type: 'bearer' });

  describe('login', () => {
    it('answers a bearer JWT with its lifetime and the user', async () => {
      const response = await t.http
        .post('/api/auth/login')
        .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
        .expect(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 3600,
        user: { id: expect.any(String), email: ADMIN_EMAIL, role: 'SUPER_ADMIN' },
      });
      const decoded = jwt.decode(response.body.accessToken, { complete: true });
      expect(decoded?.header.alg).toBe('HS256');
      const claims = decoded?.payload as jwt.JwtPayload;
      expect(claims).toMatchObject({ sub: response.body.user.id, role: 'SUPER_ADMIN', iss: ISSUER, aud: AUDIENCE });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60);
      const who = await me(response.body.accessToken).expect(200);
      expect(who.body).toMatchObject({
        id: response.body.user.id,
        email: ADMIN_EMAIL,
        role: 'SUPER_ADMIN',
        kind: 'user',
      });
    });

    it('answers the same 401 for a wrong password and an unknown email', async () => {
      const wrongPassword = await t.http
        .post('/api/auth/login')
        .send({ email: ADMIN_EMAIL, password: 'not the right password' })
        .expect(401);
      const unknownEmail = await t.http
        .post('/api/auth/login')
        .send({ email: 'nobody-here@flagdog.test', password: 'not the right password' })
        .expect(401);
      for (const response of [wrongPassword, unknownEmail]) {
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.code).toBe('UNAUTHENTICATED');
        expect(typeof response.body.requestId).toBe('string');
      }
      const { requestId: _a, ...first } = wrongPassword.body;
      const { requestId: _b, ...second } = unknownEmail.body;
      expect(first).toEqual(second);
      expect(JSON.stringify(first)).not.toMatch(/nobody-here|root-admin/);
    });

    it('treats the email case-insensitively', async () => {
      const response = await t.http
        .post('/api/auth/login')
        .send({ email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD })
        .expect(200);
      expect(response.body.user.email).toBe(ADMIN_EMAIL);

      const user = await createUser('OPERATOR', 'Mixed.Case@FlagDog.Test');
      expect(user.email).toBe('mixed.case@flagdog.test');
      await login(t.http, 'MIXED.case@flagdog.TEST', user.password);
    });

    it('refuses malformed login bodies with 400', async () => {
      for (const body of [
        {},
        { email: ADMIN_EMAIL },
        { email: ADMIN_EMAIL, password: 12345678901234 },
        { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, role: 'SUPER_ADMIN' },
      ]) {
        const response = await t.http.post('/api/auth/login').send(body).expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('access tokens', () => {
    let user: { id: string; email: string; password: string };
    let valid: string;

    beforeAll(async () => {
      user = await createUser('ANGEL_VIEWER');
      valid = await login(t.http, user.email, user.password);
    });

    const claims = () => ({ sub: user.id, role: 'ANGEL_VIEWER', email: user.email, ver: 1 });
    const sign = (options: jwt.SignOptions = {}, secret = TEST_JWT_SECRET, payload: object = claims()): string =>
      jwt.sign(payload, secret, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, expiresIn: 300, ...options });

    it('accepts a well-formed token signed with the secret (the control for the refusals below)', async () => {
      const response = await me(sign()).expect(200);
      expect(response.body).toMatchObject({ id: user.id, email: user.email, role: 'ANGEL_VIEWER' });
      await me(valid).expect(200);
    });

    it('refuses alg:none, expired, wrong issuer or audience, tampered and foreign-signed tokens with 401 saying why', async () => {
      const now = Math.floor(Date.now() / 1000);
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims(), iat: now, exp: now + 300, iss: ISSUER, aud: AUDIENCE })}.`;
      const [header, , signature] = valid.split('.');
      const promoted = { ...(jwt.decode(valid) as jwt.JwtPayload), role: 'SUPER_ADMIN' };
      const tampered = `${header}.${base64url(promoted)}.${signature}`;
      const refused: Record<string, [string, string]> = {
        'alg none': [unsigned, 'TOKEN_NOT_ACCEPTED'],
        'alg none, empty signature stripped': [unsigned.slice(0, -1), 'CREDENTIALS_MALFORMED'],
        expired: [
          jwt.sign({ ...claims(), iat: now - 120, exp: now - 60 }, TEST_JWT_SECRET, {
            algorithm: 'HS256',
            issuer: ISSUER,
            audience: AUDIENCE,
          }),
          'TOKEN_EXPIRED',
        ],
        'wrong issuer': [sign({ issuer: 'someone-else' }), 'TOKEN_NOT_ACCEPTED'],
        'wrong audience': [sign({ audience: 'another-api' }), 'TOKEN_NOT_ACCEPTED'],
        'no audience': [
          jwt.sign(claims(), TEST_JWT_SECRET, { algorithm: 'HS256', issuer: ISSUER, expiresIn: 300 }),
          'TOKEN_NOT_ACCEPTED',
        ],
        'tampered payload': [tampered, 'TOKEN_SIGNATURE_INVALID'],
        'another secret': [sign({}, 'another-secret-that-is-at-least-32-bytes!!'), 'TOKEN_SIGNATURE_INVALID'],
        'HS512 with the right secret': [sign({ algorithm: 'HS512' }), 'TOKEN_NOT_ACCEPTED'],
        'unknown user': [sign({}, TEST_JWT_SECRET, { ...claims(), sub: randomUUID() }), 'USER_REMOVED'],
        'role the user does not have': [
          sign({}, TEST_JWT_SECRET, { ...claims(), role: 'SUPER_ADMIN' }),
          'USER_CHANGED',
        ],
        'an older version of the user': [sign({}, TEST_JWT_SECRET, { ...claims(), ver: 0 }), 'USER_CHANGED'],
        'no version': [sign({}, TEST_JWT_SECRET, { sub: user.id, role: 'ANGEL_VIEWER' }), 'TOKEN_NOT_ACCEPTED'],
        'no expiry': [
          jwt.sign(claims(), TEST_JWT_SECRET, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE }),
          'TOKEN_NOT_ACCEPTED',
        ],
        garbage: ['not-a-jwt', 'CREDENTIALS_MALFORMED'],
        'an unfilled placeholder': ['[TOKEN]', 'CREDENTIALS_MALFORMED'],
        'an unset shell variable': ['undefined', 'CREDENTIALS_MALFORMED'],
      };
      for (const [what, [token, code]] of Object.entries(refused)) {
        const response = await me(token);
        expect({ what, status: response.status, code: response.body.code }).toEqual({ what, status: 401, code });
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.headers['www-authenticate']).toBe(
          `Bearer realm="flagdog", error="invalid_token", error_description="${response.body.detail}"`,
        );
        expect(`${response.text} ${response.headers['www-authenticate']}`).not.toContain(token);
        expect(response.text).not.toContain(TEST_JWT_SECRET);
      }
      const tamperedOnAdmin = await t.http.get('/api/admin/users').auth(tampered, { type: 'bearer' }).expect(401);
      expect(tamperedOnAdmin.body.code).toBe('TOKEN_SIGNATURE_INVALID');
      const none = await t.http.get('/api/auth/me').expect(401);
      expect(none.body).toMatchObject({ code: 'CREDENTIALS_MISSING', detail: expect.stringContaining('Bearer') });
      expect(none.headers['www-authenticate']).toBe('Bearer realm="flagdog"');
      const basic = await t.http
        .get('/api/auth/me')
        .set('authorization', `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}`)
        .expect(401);
      expect(basic.body.code).toBe('CREDENTIALS_MALFORMED');
    });

    it('tells the expired, the foreign-signed and the removed apart in plain words', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = jwt.sign({ ...claims(), iat: now - 120, exp: now - 60 }, TEST_JWT_SECRET, {
        algorithm: 'HS256',
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      expect((await me(expired)).body.detail).toBe('The access token has expired. Sign in again.');
      expect((await me(sign({}, 'a-jwt-secret-of-another-installation-32b'))).body.detail).toMatch(
        /another installation, JWT_SECRET changed/,
      );
      const leaving = await createUser('OPERATOR');
      const token = await login(t.http, leaving.email, leaving.password);
      await me(token).expect(200);
      await t.http.delete(`/api/admin/users/${leaving.id}`).auth(admin, { type: 'bearer' }).expect(204);
      await within(1500, async () => (await me(token)).status === 401);
      expect((await me(token)).body).toMatchObject({
        code: 'USER_REMOVED',
        detail: 'The user of this access token no longer exists.',
      });
    });
  });

  describe('users admin API', () => {
    it('creates a user without revealing the password hash, and refuses a taken email in any case', async () => {
      const email = uniqueEmail('created');
      const created = await t.http
        .post('/api/admin/users')
        .auth(admin, { type: 'bearer' })
        .send({ email, password: 'twelve chars', role: 'OPERATOR', reason: 'new on-call' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        email,
        role: 'OPERATOR',
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const taken = await t.http
        .post('/api/admin/users')
        .auth(admin, { type: 'bearer' })
        .send({ email: email.toUpperCase(), password: 'another password', role: 'ANGEL_VIEWER' })
        .expect(409);
      expect(taken.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(taken.body.code).toBe('USER_EXISTS');
      const adminTaken = await t.http
        .post('/api/admin/users')
        .auth(admin, { type: 'bearer' })
        .send({ email: 'Root-Admin@FLAGDOG.test', password: 'another password', role: 'SUPER_ADMIN' })
        .expect(409);
      expect(adminTaken.body.code).toBe('USER_EXISTS');
    });

    it('creates exactly one user when the same email is created concurrently in different cases', async () => {
      const email = uniqueEmail('racer');
      const variants = [
        email,
        email.toUpperCase(),
        email.replace('racer', 'RACER'),
        email.replace('flagdog', 'FlagDog'),
      ];
      const responses = await Promise.all(
        variants.map((variant) =>
          t.http
            .post('/api/admin/users')
            .auth(admin, { type: 'bearer' })
            .send({ email: variant, password: 'long enough password', role: 'ANGEL_VIEWER' }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) expect(response.body.code).toBe('USER_EXISTS');
      const list = await t.http.get('/api/admin/users?limit=500').auth(admin, { type: 'bearer' }).expect(200);
      expect(list.body.items.filter((u: { email: string }) => u.email === email)).toHaveLength(1);
    });

    it('refuses a password under 12 characters and other invalid users with 400', async () => {
      const invalid = [
        { email: uniqueEmail('short'), password: 'elevenchars', role: 'OPERATOR', field: 'password' },
        { email: uniqueEmail('short'), password: '🔑'.repeat(11), role: 'OPERATOR', field: 'password' },
        { email: 'not-an-email', password: 'long enough password', role: 'OPERATOR', field: 'email' },
        { email: uniqueEmail('role'), password: 'long enough password', role: 'SERVICE', field: 'role' },
        { email: uniqueEmail('role'), password: 'long enough password', role: 'ROOT', field: 'role' },
      ];
      for (const { field, ...body } of invalid) {
        const response = await t.http.post('/api/admin/users').auth(admin, { type: 'bearer' }).send(body).expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
        // Nothing was created: the pair does not log in.
        await t.http.post('/api/auth/login').send({ email: body.email, password: body.password }).expect(401);
      }
    });

    it('lists users in pages, every user exactly once, without secrets', async () => {
      await Promise.all([createUser('ANGEL_VIEWER'), createUser('ANGEL_VIEWER'), createUser('OPERATOR')]);
      const all = await t.http.get('/api/admin/users?limit=500').auth(admin, { type: 'bearer' }).expect(200);
      expect(all.body.nextCursor).toBeNull();
      const everyone: string[] = all.body.items.map((u: { email: string }) => u.email);
      expect(everyone.length).toBeGreaterThanOrEqual(6);
      expect(everyone).toContain(ADMIN_EMAIL);

      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { email: string }[]; nextCursor: string | null } } = await t.http
          .get(`/api/admin/users?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
          .auth(admin, { type: 'bearer' })
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        walked.push(...page.body.items.map((u) => u.email));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(walked).toEqual(everyone);
      expect(new Set(walked).size).toBe(walked.length);
      expect(JSON.stringify(all.body)).not.toMatch(/password|hash|argon/i);
    });

    it("changes a user's role and password; the old token and the old password stop working", async () => {
      const user = await createUser('ANGEL_VIEWER');
      const token = await login(t.http, user.email, user.password);
      await me(token).expect(200);
      const patched = await t.http
        .patch(`/api/admin/users/${user.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ role: 'OPERATOR', reason: 'joins on-call' })
        .expect(200);
      expect(patched.body).toMatchObject({ id: user.id, role: 'OPERATOR', version: 2 });
      await within(1500, async () => (await me(token)).status === 401);
      const promoted = await login(t.http, user.email, user.password);
      expect((await me(promoted).expect(200)).body.role).toBe('OPERATOR');

      await t.http
        .patch(`/api/admin/users/${user.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ password: 'a brand new password' })
        .expect(200);
      await t.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(401);
      await login(t.http, user.email, 'a brand new password');

      const short = await t.http
        .patch(`/api/admin/users/${user.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ password: 'short' })
        .expect(400);
      expect(short.body.code).toBe('VALIDATION_FAILED');
      const missing = await t.http
        .patch(`/api/admin/users/${randomUUID()}`)
        .auth(admin, { type: 'bearer' })
        .send({ role: 'OPERATOR' })
        .expect(404);
      expect(missing.body.code).toBe('USER_NOT_FOUND');
      await t.http
        .patch('/api/admin/users/not-a-uuid')
        .auth(admin, { type: 'bearer' })
        .send({ role: 'OPERATOR' })
        .expect(400);
    });

    it("deletes a user; the user's still-valid JWT stops working within a second", async () => {
      const user = await createUser('OPERATOR');
      const token = await login(t.http, user.email, user.password);
      await me(token).expect(200);
      await t.http.delete(`/api/admin/users/${user.id}`).auth(admin, { type: 'bearer' }).expect(204);
      const elapsed = await within(1500, async () => (await me(token)).status === 401);
      expect(elapsed).toBeLessThanOrEqual(1500);
      await t.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(401);
      const again = await t.http.delete(`/api/admin/users/${user.id}`).auth(admin, { type: 'bearer' }).expect(404);
      expect(again.body.code).toBe('USER_NOT_FOUND');
      const list = await t.http.get('/api/admin/users?limit=500').auth(admin, { type: 'bearer' }).expect(200);
      expect(list.body.items.map((u: { id: string }) => u.id)).not.toContain(user.id);
    });

    it('never deletes or demotes the last SUPER_ADMIN (409 LAST_SUPER_ADMIN)', async () => {
      const list = await t.http.get('/api/admin/users?limit=500').auth(admin, { type: 'bearer' }).expect(200);
      const superAdmins = list.body.items.filter((u: { role: string }) => u.role === 'SUPER_ADMIN');
      expect(superAdmins.map((u: { email: string }) => u.email)).toEqual([ADMIN_EMAIL]);
      const rootId: string = superAdmins[0].id;

      const demote = await t.http
        .patch(`/api/admin/users/${rootId}`)
        .auth(admin, { type: 'bearer' })
        .send({ role: 'OPERATOR' })
        .expect(409);
      expect(demote.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(demote.body.code).toBe('LAST_SUPER_ADMIN');
      const remove = await t.http.delete(`/api/admin/users/${rootId}`).auth(admin, { type: 'bearer' }).expect(409);
      expect(remove.body.code).toBe('LAST_SUPER_ADMIN');
      // Keeping the role is not a demotion.
      await t.http
        .patch(`/api/admin/users/${rootId}`)
        .auth(admin, { type: 'bearer' })
        .send({ role: 'SUPER_ADMIN' })
        .expect(200);
      await me(admin).expect(200);

      // With a second super admin, one of them may go; then the other is the last again.
      const second = await createUser('SUPER_ADMIN');
      await t.http
        .patch(`/api/admin/users/${second.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ role: 'OPERATOR' })
        .expect(200);
      await t.http
        .patch(`/api/admin/users/${second.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ role: 'SUPER_ADMIN' })
        .expect(200);
      await t.http.delete(`/api/admin/users/${second.id}`).auth(admin, { type: 'bearer' }).expect(204);
      const last = await t.http.delete(`/api/admin/users/${rootId}`).auth(admin, { type: 'bearer' }).expect(409);
      expect(last.body.code).toBe('LAST_SUPER_ADMIN');
      await me(admin).expect(200);
    });
    it('retires the tokens issued before a password change', async () => {
      const user = await createUser('OPERATOR');
      const before = await login(t.http, user.email, user.password);
      await me(before).expect(200);
      await t.http
        .patch(`/api/admin/users/${user.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ password: 'a brand new passphrase' })
        .expect(200);
      await within(1500, async () => (await me(before)).status === 401);
      await me(await login(t.http, user.email, 'a brand new passphrase')).expect(200);
    });
    it('keeps one SUPER_ADMIN when all of them are demoted concurrently: the last gets 409 LAST_SUPER_ADMIN', async () => {
      const list = await t.http.get('/api/admin/users?limit=500').auth(admin, { type: 'bearer' }).expect(200);
      const root = {
        id: list.body.items.find((u: { email: string }) => u.email === ADMIN_EMAIL).id as string,
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      };
      const others = await Promise.all([
        createUser('SUPER_ADMIN'),
        createUser('SUPER_ADMIN'),
        createUser('SUPER_ADMIN'),
      ]);
      const admins = [root, ...others];
      // Each SUPER_ADMIN demotes itself with its own token: a role change retires the changed
      // user's tokens, so one shared token would race its own demotion.
      const tokens = await Promise.all(admins.map(({ email, password }) => login(t.http, email, password)));

      const responses = await Promise.all(
        admins.map(({ id }, index) =>
          t.http.patch(`/api/admin/users/${id}`).auth(tokens[index], { type: 'bearer' }).send({ role: 'OPERATOR' }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 409]);
      const loser = responses.findIndex((response) => response.status === 409);
      expect(responses[loser].body.code).toBe('LAST_SUPER_ADMIN');

      // The survivor restores the starting point: root the only SUPER_ADMIN.
      const survivor = await login(t.http, admins[loser].email, admins[loser].password);
      if (loser !== 0) {
        await t.http
          .patch(`/api/admin/users/${root.id}`)
          .auth(survivor, { type: 'bearer' })
          .send({ role: 'SUPER_ADMIN' })
          .expect(200);
        // A role change retires the tokens issued before it, even when the role comes back.
        await within(1500, async () => (await me(admin)).status === 401);
        admin = await login(t.http, ADMIN_EMAIL, ADMIN_PASSWORD);
      }
      for (const { id } of others)
        await t.http.delete(`/api/admin/users/${id}`).auth(admin, { type: 'bearer' }).expect(204);
      const after = await t.http.get('/api/admin/users?limit=500').auth(admin, { type: 'bearer' }).expect(200);
      expect(
        after.body.items
          .filter((u: { role: string }) => u.role === 'SUPER_ADMIN')
          .map((u: { email: string }) => u.email),
      ).toEqual([ADMIN_EMAIL]);
    });
  });

  describe('service tokens', () => {
    it('shows the secret once, works as Bearer and X-API-Key, and is refused within a second of revocation', async () => {
      const name = `checkout-service-${process.pid}`;
      const created = await t.http
        .post('/api/admin/service-tokens')
        .auth(admin, { type: 'bearer' })
        .send({ name, reason: 'checkout evaluates flags' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name,
        tokenPrefix: expect.any(String),
        permissions: ['flags:evaluate'],
        telemetryFeatureKeys: null,
        createdBy: ADMIN_EMAIL,
        createdAt: expect.any(String),
        revokedAt: null,
        token: expect.any(String),
      });
      const secret: string = created.body.token;
      expect(secret.startsWith(created.body.tokenPrefix)).toBe(true);
      expect(secret.length).toBeGreaterThanOrEqual(40);

      const list = await t.http.get('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).expect(200);
      const listed = list.body.items.find((item: { id: string }) => item.id === created.body.id);
      expect(listed).toMatchObject({ name, tokenPrefix: created.body.tokenPrefix, revokedAt: null });
      expect(listed).not.toHaveProperty('token');
      expect(JSON.stringify(list.body)).not.toContain(secret);

      const viaBearer = await me(secret).expect(200);
      expect(viaBearer.body).toMatchObject({ id: created.body.id, name, role: 'SERVICE', kind: 'service' });
      const viaApiKey = await t.http.get('/api/auth/me').set('x-api-key', secret).expect(200);
      expect(viaApiKey.body).toMatchObject({ id: created.body.id, name, role: 'SERVICE' });

      for (const path of ['/api/admin/feature-flags', '/api/admin/users', '/api/admin/service-tokens']) {
        const refused = await t.http.get(path).set('x-api-key', secret).expect(403);
        expect(refused.body.code).toBe('PERMISSION_DENIED');
        await t.http.get(path).auth(secret, { type: 'bearer' }).expect(403);
      }

      const clash = await t.http
        .post('/api/admin/service-tokens')
        .auth(admin, { type: 'bearer' })
        .send({ name: name.toUpperCase() })
        .expect(409);
      expect(clash.body.code).toBe('SERVICE_TOKEN_EXISTS');

      await t.http.delete(`/api/admin/service-tokens/${created.body.id}`).auth(admin, { type: 'bearer' }).expect(204);
      await within(1500, async () => (await t.http.get('/api/auth/me').set('x-api-key', secret)).status === 401);
      await within(1500, async () => (await me(secret)).status === 401);
      const refused = await me(secret).expect(401);
      expect(refused.body).toMatchObject({ code: 'SERVICE_TOKEN_REVOKED', detail: expect.stringContaining('revoked') });
      expect(refused.headers['www-authenticate']).toMatch(/error="invalid_token", error_description=".*revoked/);

      const after = await t.http.get('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).expect(200);
      expect(after.body.items.find((item: { id: string }) => item.id === created.body.id).revokedAt).toEqual(
        expect.any(String),
      );
      // The name is free again once its token is revoked.
      await t.http.post('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).send({ name }).expect(201);

      const missing = await t.http
        .delete(`/api/admin/service-tokens/${randomUUID()}`)
        .auth(admin, { type: 'bearer' })
        .expect(404);
      expect(missing.body.code).toBe('SERVICE_TOKEN_NOT_FOUND');
      expect(t.logs.text()).not.toContain(secret);
    });

    it('creates exactly one active token when one name is requested concurrently', async () => {
      const name = `inventory-service-${process.pid}`;
      const responses = await Promise.all(
        [name, name.toUpperCase(), name, `Inventory-Service-${process.pid}`].map((variant) =>
          t.http.post('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).send({ name: variant }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409))
        expect(response.body.code).toBe('SERVICE_TOKEN_EXISTS');
    });

    it('refuses made-up service tokens with 401, telling unknown from malformed', async () => {
      const cases: [string, string][] = [
        ['fds_made-up-secret', 'SERVICE_TOKEN_UNKNOWN'],
        ['fds_', 'SERVICE_TOKEN_UNKNOWN'],
        ['something-else', 'CREDENTIALS_MALFORMED'],
        ['[TOKEN]', 'CREDENTIALS_MALFORMED'],
        [`fds_${'x'.repeat(300)}`, 'CREDENTIALS_MALFORMED'],
      ];
      for (const [key, code] of cases) {
        const response = await t.http.get('/api/auth/me').set('x-api-key', key).expect(401);
        expect([key, response.body.code]).toEqual([key, code]);
        expect(response.text).not.toContain(key);
      }
      expect((await me('fds_made-up-secret').expect(401)).body.code).toBe('SERVICE_TOKEN_UNKNOWN');
    });
  });

  it('refuses ANGEL_VIEWER and OPERATOR on the users and service-token admin routes with 403', async () => {
    const id = randomUUID();
    const calls = [
      { call: () => t.http.get('/api/admin/users'), permission: 'users:manage' },
      {
        call: () =>
          t.http
            .post('/api/admin/users')
            .send({ email: uniqueEmail('x'), password: 'long enough password', role: 'SUPER_ADMIN' }),
        permission: 'users:manage',
      },
      { call: () => t.http.patch(`/api/admin/users/${id}`).send({ role: 'SUPER_ADMIN' }), permission: 'users:manage' },
      { call: () => t.http.delete(`/api/admin/users/${id}`), permission: 'users:manage' },
      { call: () => t.http.get('/api/admin/service-tokens'), permission: 'service-tokens:manage' },
      {
        call: () => t.http.post('/api/admin/service-tokens').send({ name: 'sneaky' }),
        permission: 'service-tokens:manage',
      },
      { call: () => t.http.delete(`/api/admin/service-tokens/${id}`), permission: 'service-tokens:manage' },
    ];
    for (const token of [viewer, operator]) {
      for (const { call, permission } of calls) {
        const response = await call().auth(token, { type: 'bearer' }).expect(403);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ code: 'PERMISSION_DENIED', permission });
      }
    }
    const tokens = await t.http.get('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).expect(200);
    expect(tokens.body.items.map((item: { name: string }) => item.name)).not.toContain('sneaky');
  });
});

describe('login throttling', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startAnotherTestApp({ env: { LOGIN_THROTTLE_LIMIT: '3' } });
  });
  afterAll(() => t.close());

  it('answers 429 RATE_LIMITED after repeated failures for one email, without locking out others', async () => {
    const target = 'victim@flagdog.test';
    for (let attempt = 0; attempt < 3; attempt++) {
      await t.http
        .post('/api/auth/login')
        .send({ email: target, password: `guess number ${attempt}` })
        .expect(401);
    }
    const limited = await t.http
      .post('/api/auth/login')
      .send({ email: target.toUpperCase(), password: 'guess number 4' })
      .expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(typeof limited.body.requestId).toBe('string');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Another account from the same client still gets in.
    await login(t.http, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
});
