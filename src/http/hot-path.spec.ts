import {
  ArgumentsHost,
  Body,
  CanActivate,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  Get,
  Header,
  HttpCode,
  Post,
  Req,
  Res,
  Type,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HotPath, hotPathOf, HotPathRouter } from 'src/http/hot-path';
import { AppError } from 'src/http/app-error';
import { ProblemFilter } from 'src/http/problem.filter';

class Refusal extends Error {}

@Catch(Refusal)
class RefusalFilter implements ExceptionFilter {
  catch(error: Refusal, host: ArgumentsHost): void {
    if (error.message === '') throw new AppError(409, 'FILTER_FAILED', 'The refusal filter failed.');
    void host.switchToHttp().getResponse<FastifyReply>().status(418).send({ refused: error.message });
  }
}

@UseFilters(RefusalFilter)
class LookupController {
  calls = 0;

  @Get('flags/:key')
  @HotPath()
  one(@Req() request: FastifyRequest<{ Params: { key: string }; Querystring: { fail?: string } }>): object {
    this.calls++;
    if (request.query.fail === 'refusal') throw new Refusal(request.params.key);
    if (request.query.fail === 'filter') throw new Refusal('');
    if (request.query.fail === 'app') throw new AppError(400, 'VALIDATION_FAILED', 'subjectId is required.');
    return { key: request.params.key, principal: (request as { principal?: string }).principal };
  }

  @Post('flags')
  @HotPath()
  @HttpCode(200)
  many(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    void reply.header('etag', '"v1"').send(`{"echo":${JSON.stringify(request.body)}}`);
  }

  @Post('created')
  @HotPath()
  created(): object {
    return { created: true };
  }

  @Get('later')
  @HotPath()
  async later(@Req() request: FastifyRequest<{ Querystring: { fail?: string } }>): Promise<object> {
    await new Promise((resolve) => setImmediate(resolve));
    if (request.query.fail === 'app') throw new AppError(409, 'CONFLICT', 'Not now.');
    return { later: true };
  }
}

/** Stands for the access guard: what it answers is set per test. */
class ScriptedGuard implements CanActivate {
  answer: () => boolean | Promise<boolean> = () => true;
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    (context.switchToHttp().getRequest() as { principal?: string }).principal = 'svc';
    return this.answer();
  }
}

function hotPathRoute(controller: object, name: string) {
  const handler = (controller as Record<string, object>)[name];
  const config = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as unknown;
  const target = hotPathOf(config);
  if (target === undefined) throw new Error(`${name} is not a hot path`);
  return target;
}

describe('HotPathRouter', () => {
  let app: FastifyInstance;
  const controller = new LookupController();
  const guard = new ScriptedGuard();

  beforeAll(async () => {
    const instances = new Map<Type, unknown>([
      [LookupController, controller],
      [ScriptedGuard, guard],
    ]);
    const router = new HotPathRouter((type) => instances.get(type) as never, ScriptedGuard, new ProblemFilter());
    app = Fastify();
    app.get('/flags/:key', router.handlerFor(hotPathRoute(LookupController.prototype, 'one')));
    app.post('/flags', router.handlerFor(hotPathRoute(LookupController.prototype, 'many')));
    app.post('/created', router.handlerFor(hotPathRoute(LookupController.prototype, 'created')));
    app.get('/later', router.handlerFor(hotPathRoute(LookupController.prototype, 'later')));
    await app.ready();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    guard.answer = () => true;
  });

  it('answers with the method’s result once the guard allows, synchronously or not', async () => {
    const sync = await app.inject({ method: 'GET', url: '/flags/a' });
    expect([sync.statusCode, sync.json()]).toEqual([200, { key: 'a', principal: 'svc' }]);
    guard.answer = () => Promise.resolve(true);
    const later = await app.inject({ method: 'GET', url: '/flags/b' });
    expect([later.statusCode, later.json()]).toEqual([200, { key: 'b', principal: 'svc' }]);
  });

  it('uses the declared status code, 201 for an undeclared POST as Nest does', async () => {
    expect((await app.inject({ method: 'POST', url: '/created' })).statusCode).toBe(201);
    const many = await app.inject({ method: 'POST', url: '/flags', payload: { a: 1 } });
    expect([many.statusCode, many.headers.etag, many.body]).toEqual([200, '"v1"', '{"echo":{"a":1}}']);
  });

  it('answers the guard’s refusal as problem+json and never calls the method', async () => {
    const calls = controller.calls;
    guard.answer = () => {
      throw AppError.permissionDenied('flags:evaluate');
    };
    const refused = await app.inject({ method: 'GET', url: '/flags/a' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
    guard.answer = () => Promise.reject(new AppError(401, 'TOKEN_EXPIRED', 'The token has expired.'));
    const expired = await app.inject({ method: 'GET', url: '/flags/a' });
    expect([expired.statusCode, expired.json().code]).toEqual([401, 'TOKEN_EXPIRED']);
    expect(controller.calls).toBe(calls);
  });

  it('refuses with 403 when the guard answers false, synchronously or not, as Nest does', async () => {
    const calls = controller.calls;
    for (const answer of [() => false, () => Promise.resolve(false)]) {
      guard.answer = answer;
      const refused = await app.inject({ method: 'GET', url: '/flags/a' });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(controller.calls).toBe(calls);
  });

  it('awaits a method that answers a promise, and sends its rejection to the filters', async () => {
    const later = await app.inject({ method: 'GET', url: '/later' });
    expect([later.statusCode, later.json()]).toEqual([200, { later: true }]);
    const refused = await app.inject({ method: 'GET', url: '/later?fail=app' });
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'CONFLICT']);
  });

  it('sends an error to the first filter that catches it: the controller’s, then the global one', async () => {
    const own = await app.inject({ method: 'GET', url: '/flags/a?fail=refusal' });
    expect([own.statusCode, own.json()]).toEqual([418, { refused: 'a' }]);
    const global = await app.inject({ method: 'GET', url: '/flags/a?fail=app' });
    expect([global.statusCode, global.json().code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('lets the global filter answer when a route filter throws, also after an asynchronous guard', async () => {
    for (const answer of [() => true, () => Promise.resolve(true)]) {
      guard.answer = answer;
      const failed = await app.inject({ method: 'GET', url: '/flags/a?fail=filter' });
      expect([failed.statusCode, failed.json().code]).toEqual([409, 'FILTER_FAILED']);
    }
  });

  it('treats an empty route parameter as no route, as Nest’s Fastify adapter does', async () => {
    const calls = controller.calls;
    expect((await app.inject({ method: 'GET', url: '/flags/' })).statusCode).toBe(404);
    expect(controller.calls).toBe(calls);
  });

  it('refuses at start-up a hot path that declares guards, headers or other parameters', () => {
    class Guarded {
      @HotPath()
      @UseGuards(ScriptedGuard)
      guarded(@Req() _request: FastifyRequest): void {}

      @HotPath()
      withBody(@Body() _body: unknown): void {}

      @HotPath()
      @Header('cache-control', 'no-store')
      withHeader(@Req() _request: FastifyRequest): void {}

      @HotPath()
      passthrough(@Req() _request: FastifyRequest, @Res({ passthrough: true }) _reply: FastifyReply): void {}
    }
    const router = new HotPathRouter(() => undefined as never, ScriptedGuard, new ProblemFilter());
    expect(() => router.handlerFor(hotPathRoute(Guarded.prototype, 'guarded'))).toThrow(/own guards/);
    expect(() => router.handlerFor(hotPathRoute(Guarded.prototype, 'withBody'))).toThrow(/only \(@Req\(\)/);
    expect(() => router.handlerFor(hotPathRoute(Guarded.prototype, 'withHeader'))).toThrow(/@Header\(\)/);
    expect(() => router.handlerFor(hotPathRoute(Guarded.prototype, 'passthrough'))).toThrow(/passthrough/);
  });
});
