import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import { AppModule, AppOptions } from 'src/app.module';
import { AppConfig } from 'src/config/app-config';
import { AccessGuard } from 'src/auth/access.guard';
import { AccessLog, accessLogPolicyOf } from 'src/http/access-log';
import { contentTypeProblem, hasBody } from 'src/http/content-type';
import { HotPathRouter, hotPathOf } from 'src/http/hot-path';
import { AppLogger } from 'src/http/logging';
import { problem, ProblemFilter, sendProblem } from 'src/http/problem.filter';
import { quietFrameworkLogger } from 'src/http/quiet-framework-logger';
import { StrictValidationPipe } from 'src/http/strict-validation.pipe';
import { MetricsService } from 'src/metrics/metrics.service';
import { setupOpenApi } from 'src/openapi/openapi';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Two bulk routes take more than 1 MiB in the worst case: the allowlist add (10,000 IDs of up to
 * 128 characters, up to 4 UTF-8 bytes each) and telemetry (5,000 events with long routes).
 */
const LARGE_BODY_ROUTES = new Map([
  ['POST /api/admin/feature-flags/:key/allowlist', 6 * 1024 * 1024],
  ['POST /api/telemetry/events', 4 * 1024 * 1024],
]);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Random bytes for request ids, drawn 512 ids at a time: a request id costs a slice of this
 * pool instead of a random draw (a random UUID per request cost about a microsecond of each
 * evaluation). 96 bits per id, so ids do not collide, and none says how many requests came before.
 */
const REQUEST_ID_POOL = Buffer.allocUnsafe(12 * 512);
let requestIdOffset = REQUEST_ID_POOL.length;

/** 16 random base64url characters, e.g. `Xq3vJ0a-k9Lm_2Bz`. */
function freshRequestId(): string {
  if (requestIdOffset === REQUEST_ID_POOL.length) {
    randomFillSync(REQUEST_ID_POOL);
    requestIdOffset = 0;
  }
  const id = REQUEST_ID_POOL.toString('base64url', requestIdOffset, requestIdOffset + 12);
  requestIdOffset += 12;
  return id;
}

/** An incoming X-Request-Id is kept when it is sane; otherwise a fresh one is made. */
function requestIdOf(raw: IncomingMessage): string {
  const header = raw.headers['x-request-id'];
  const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : freshRequestId();
  (raw as IncomingMessage & { id: string }).id = id;
  return id;
}

/**
 * Per-route request accounting, attached to each route as it is registered so that nothing is
 * looked up per request: the route's Prometheus counts and its access-log policy. Requests no
 * route matched are counted under one label by a global hook.
 */
function instrumentRoutes(
  fastify: FastifyInstance,
  metrics: MetricsService,
  accessLog: AccessLog,
  hotPaths: HotPathRouter,
): void {
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const limit = LARGE_BODY_ROUTES.get(`${method} ${route.url}`);
      if (limit !== undefined) route.bodyLimit = limit;
    }
    const hotPath = hotPathOf(route.config);
    if (hotPath !== undefined) route.handler = hotPaths.handlerFor(hotPath);
    const stats = metrics.forRoute(route.url);
    const policy = accessLogPolicyOf(route.url, route.config);
    const account: onResponseHookHandler = (request, reply, done) => {
      stats.record(request.method, reply.statusCode, reply.elapsedTime);
      accessLog.write(policy, request, reply);
      done();
    };
    const existing =
      route.onResponse === undefined ? [] : Array.isArray(route.onResponse) ? route.onResponse : [route.onResponse];
    route.onResponse = [...existing, account];
  });
  const unmatched = metrics.forRoute(undefined);
  fastify.addHook('onResponse', (request, reply, done) => {
    if (request.is404) {
      unmatched.record(request.method, reply.statusCode, reply.elapsedTime);
      accessLog.write('full', request, reply);
    }
    done();
  });
}

/** Builds the whole flagdog application, ready to listen: used by main, the CLI and the tests. */
export async function createApp(config: AppConfig, options: AppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    requestIdHeader: false,
    routerOptions: { maxParamLength: 2048 },
    // No Express-style middleware: request logging and metrics are Fastify hooks.
    skipMiddie: true,
    // Errors Fastify raises before routing (a malformed URL) get the same problem+json.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      sendProblem(reply, problem(400, 'BAD_REQUEST', 'The URL is not valid.', request.id));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
  });
  const logger = app.get(AppLogger);
  app.useLogger(quietFrameworkLogger(logger));
  const problems = new ProblemFilter();
  app.useGlobalFilters(problems);
  app.useGlobalPipes(new StrictValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // A DELETE sent with the habitual `Content-Type: application/json` but no body (the
    // runbook's Level 1 option B) is a DELETE without a body, not malformed JSON.
    if (request.method === 'DELETE' && !hasBody(request.headers)) delete request.headers['content-type'];
    const refusal = contentTypeProblem(request.headers);
    if (refusal !== null) {
      sendProblem(reply, problem(refusal.status, refusal.code, refusal.detail, request.id, refusal.extra));
      return;
    }
    done();
  });
  const hotPaths = new HotPathRouter((type) => app.get(type, { strict: false }), AccessGuard, problems);
  instrumentRoutes(fastify, app.get(MetricsService), new AccessLog(logger.pino), hotPaths);
  await setupOpenApi(app);
  await app.init();
  return app;
}
