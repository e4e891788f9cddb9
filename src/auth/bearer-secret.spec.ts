import { bearerMatches } from 'src/auth/bearer-secret';

describe('bearerMatches', () => {
  const secret = 'metrics-scrape-secret-0123';

  it('accepts exactly "Bearer <secret>", any case of the scheme', () => {
    expect(bearerMatches(`Bearer ${secret}`, secret)).toBe(true);
    expect(bearerMatches(`bearer ${secret}`, secret)).toBe(true);
  });

  it('refuses a missing header, another scheme, a prefix or extension of the secret, and an unset secret', () => {
    expect(bearerMatches(undefined, secret)).toBe(false);
    expect(bearerMatches(`Basic ${secret}`, secret)).toBe(false);
    expect(bearerMatches(`Bearer ${secret.slice(0, -1)}`, secret)).toBe(false);
    expect(bearerMatches(`Bearer ${secret}x`, secret)).toBe(false);
    expect(bearerMatches(`Bearer ${secret} extra`, secret)).toBe(false);
    expect(bearerMatches([`Bearer ${secret}`], secret)).toBe(false);
    expect(bearerMatches(`Bearer ${secret}`, null)).toBe(false);
  });
});
