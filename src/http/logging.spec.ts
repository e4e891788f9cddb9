import { Writable } from 'node:stream';
import { AppLogger, createRootLogger, featureKeyOf, redactUrl } from 'src/http/logging';

describe('featureKeyOf (feature_key on request log lines)', () => {
  it.each([
    ['/api/admin/feature-flags/passenger_favorites_matching', 'passenger_favorites_matching'],
    ['/api/admin/feature-flags/passenger_favorites_matching/allowlist/p1', 'passenger_favorites_matching'],
    ['/api/feature-flags/passenger_favorites_matching/evaluate?subjectId=x', 'passenger_favorites_matching'],
    ['/api/admin/beta-monitor/passenger_favorites_matching/run', 'passenger_favorites_matching'],
    ['/ofrep/v1/evaluate/flags/passenger_favorites_matching', 'passenger_favorites_matching'],
  ])('finds the flag in %s', (url, key) => {
    expect(featureKeyOf(url)).toBe(key);
  });

  it.each([
    '/api/admin/feature-flags',
    '/api/feature-flags/evaluate',
    '/health/ready',
    '/ofrep/v1/evaluate/flags',
    '/api/admin/feature-flags/Bad-Key',
  ])('finds none in %s', (url) => {
    expect(featureKeyOf(url)).toBeUndefined();
  });
});

describe('redactUrl: other credential parameter names', () => {
  it.each([
    ['/api/auth/me?access_token=eyJhbGciOi.x.y', '/api/auth/me?access_token=[redacted]'],
    ['/x?a=1&token=fds_abc&b=2', '/x?a=1&token=[redacted]&b=2'],
    [
      '/x?password=hunter2&client_secret=s&API_KEY=k',
      '/x?password=[redacted]&client_secret=[redacted]&API_KEY=[redacted]',
    ],
    ['/x?Access%5Ftoken=a', '/x?Access%5Ftoken=[redacted]'],
  ])('%s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it.each(['/api/feature-flags/f_1/evaluate?subjectId=pass_1', '/health/ready', '/x?tokens_count=1'])(
    'leaves %s alone',
    (url) => {
      expect(redactUrl(url)).toBe(url);
    },
  );
});
describe('redactUrl (credentials in query strings never reach the log)', () => {
  it.each([
    ['/metrics?token=abc123', '/metrics?token=[redacted]'],
    ['/api/x?access_token=eyJ.abc.def&limit=5', '/api/x?access_token=[redacted]&limit=5'],
    ['/api/x?limit=5&password=hunter2&secret=s3', '/api/x?limit=5&password=[redacted]&secret=[redacted]'],
    ['/api/x?TOKEN=abc', '/api/x?TOKEN=[redacted]'],
    ['/api/x?%74oken=abc', '/api/x?%74oken=[redacted]'],
    ['/api/x?token', '/api/x?token=[redacted]'],
    ['/api/x?token=a&token=b', '/api/x?token=[redacted]&token=[redacted]'],
  ])('redacts %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    '/api/feature-flags/x/evaluate?subjectId=token',
    '/api/x?tokens=1&my_token=2',
    '/api/x',
    '/api/x?%E0%A4%A=1',
  ])('keeps %s as it is', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('AppLogger (Nest logger interface over pino)', () => {
  const capture = (level = 'info') => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')));
        done();
      },
    });
    return { lines, logger: new AppLogger(createRootLogger({ logLevel: level as 'info' }, stream)) };
  };

  it('writes the context, object fields and errors as Nest loggers call it', () => {
    const { lines, logger } = capture();
    logger.log('flagdog listening', 'flagdog');
    logger.warn({ err: new Error('database away') }, 'Could not reload', 'ServiceTokensService');
    logger.error('Request failed', 'Error: boom\n    at somewhere (x.js:1:1)', 'ExceptionsHandler');
    expect(lines[0]).toMatchObject({ level: 30, msg: 'flagdog listening', context: 'flagdog' });
    expect(lines[1]).toMatchObject({
      level: 40,
      msg: 'Could not reload',
      context: 'ServiceTokensService',
      err: { message: 'database away' },
    });
    expect(lines[2]).toMatchObject({ level: 50, context: 'ExceptionsHandler', err: { message: 'Request failed' } });
  });

  it('redacts credential fields and writes nothing below its level', () => {
    const { lines, logger } = capture('warn');
    logger.log('dropped', 'Test');
    logger.warn({ password: 'hunter2', user: { token: 'fds_x' } }, 'with secrets', 'Test');
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).not.toMatch(/hunter2|fds_x/);
  });
});
