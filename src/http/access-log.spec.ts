import { Writable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessLog, accessLogPolicyOf, AccessLogPolicy, SLOW_REQUEST_MS } from 'src/http/access-log';
import { createRootLogger } from 'src/http/logging';

function accessLog(level: 'info' | 'warn' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  const log = new AccessLog(createRootLogger({ logLevel: level }, stream));
  const write = (policy: AccessLogPolicy, url: string, statusCode: number, elapsedTime = 1) =>
    log.write(
      policy,
      { id: 'req-1', method: 'GET', url } as FastifyRequest,
      { statusCode, elapsedTime } as FastifyReply,
    );
  return { lines, write };
}

describe('AccessLog', () => {
  it('logs every request of a full-log route, with the flag and a redacted URL', () => {
    const { lines, write } = accessLog();
    write('full', '/api/admin/feature-flags/some_flag?token=abc', 200);
    write('full', '/api/admin/feature-flags/some_flag', 404);
    write('full', '/api/admin/users', 503);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [30, 'request completed'],
      [40, 'request completed'],
      [50, 'request errored'],
    ]);
    expect(lines[0]).toMatchObject({
      feature_key: 'some_flag',
      req: { id: 'req-1', method: 'GET', url: '/api/admin/feature-flags/some_flag?token=[redacted]' },
      res: { statusCode: 200 },
    });
  });

  it('logs only server errors and slow requests of an evaluation route', () => {
    const { lines, write } = accessLog();
    write('errors-and-slow', '/api/feature-flags/some_flag/evaluate?subjectId=p1', 200);
    write('errors-and-slow', '/api/feature-flags/some_flag/evaluate?subjectId=p1', 401);
    write('errors-and-slow', '/ofrep/v1/evaluate/flags/some_flag', 404);
    write('errors-and-slow', '/api/feature-flags/some_flag/evaluate?subjectId=p2', 200, SLOW_REQUEST_MS + 5);
    write('errors-and-slow', '/api/feature-flags/some_flag/evaluate?subjectId=p3', 500);
    expect(lines.map((line) => [line.level, line.msg, (line.req as { url: string }).url])).toEqual([
      [40, 'slow request', '/api/feature-flags/some_flag/evaluate?subjectId=p2'],
      [50, 'request errored', '/api/feature-flags/some_flag/evaluate?subjectId=p3'],
    ]);
    expect(lines[0]).toMatchObject({ feature_key: 'some_flag' });
  });

  it('writes nothing below its level and nothing for health probes', () => {
    const { lines, write } = accessLog('warn');
    write('full', '/api/admin/feature-flags', 200);
    write('none', '/health/ready', 503);
    write('full', '/api/admin/feature-flags/x', 403);
    expect(lines.map((line) => line.level)).toEqual([40]);
  });

  it('takes the policy from the route: health probes none, @QuietAccessLog routes quiet, the rest full', () => {
    expect(accessLogPolicyOf('/health/ready', undefined)).toBe('none');
    expect(accessLogPolicyOf('/ofrep/v1/evaluate/flags/:key', { accessLog: 'errors-and-slow' })).toBe(
      'errors-and-slow',
    );
    expect(accessLogPolicyOf('/api/admin/feature-flags', undefined)).toBe('full');
  });
});
