import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from 'jsonwebtoken';
import { AUTH_FAILURES, authFailure, AuthFailureCode, jwtFailureCode } from 'src/auth/auth-failures';

describe('auth failures', () => {
  it('have details that fit in a WWW-Authenticate quoted string (RFC 6750 error_description)', () => {
    for (const [code, detail] of Object.entries(AUTH_FAILURES)) {
      expect([code, /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/.test(detail)]).toEqual([code, true]);
    }
  });

  it('challenge with a plain Bearer when credentials are missing, and invalid_token otherwise', () => {
    expect(authFailure('CREDENTIALS_MISSING').headers).toEqual({ 'www-authenticate': 'Bearer realm="flagdog"' });
    const expired = authFailure('TOKEN_EXPIRED');
    expect(expired).toMatchObject({ status: 401, code: 'TOKEN_EXPIRED', detail: AUTH_FAILURES.TOKEN_EXPIRED });
    expect(expired.headers['www-authenticate']).toBe(
      `Bearer realm="flagdog", error="invalid_token", error_description="${AUTH_FAILURES.TOKEN_EXPIRED}"`,
    );
  });

  it.each<[unknown, AuthFailureCode]>([
    [new TokenExpiredError('jwt expired', new Date()), 'TOKEN_EXPIRED'],
    [new JsonWebTokenError('invalid signature'), 'TOKEN_SIGNATURE_INVALID'],
    [new JsonWebTokenError('jwt malformed'), 'CREDENTIALS_MALFORMED'],
    [new JsonWebTokenError('invalid token'), 'CREDENTIALS_MALFORMED'],
    [new SyntaxError('Unexpected token'), 'CREDENTIALS_MALFORMED'],
    [new JsonWebTokenError('jwt issuer invalid. expected: flagdog'), 'TOKEN_NOT_ACCEPTED'],
    [new JsonWebTokenError('invalid algorithm'), 'TOKEN_NOT_ACCEPTED'],
    [new NotBeforeError('jwt not active', new Date()), 'TOKEN_NOT_ACCEPTED'],
    [new Error('No auth token'), 'CREDENTIALS_MISSING'],
    [undefined, 'TOKEN_NOT_ACCEPTED'],
  ])('reads passport-jwt reason %p as %s', (info, code) => {
    expect(jwtFailureCode(info)).toBe(code);
  });
});
