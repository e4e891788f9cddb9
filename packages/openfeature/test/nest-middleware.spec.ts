import { Controller, Get, HttpCode, Module, Param, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { FlagdogTelemetry } from '../src';
import type { TransportRequest } from '../src/telemetry-sender';

const FLAG = 'checkout_v2';
const sent: Record<string, unknown>[] = [];
const telemetry = new FlagdogTelemetry({
  url: 'http://flagdog.test',
  token: 't',
  flags: [FLAG],
  flushIntervalMs: 60_000,
  transport: async (request: TransportRequest) => {
    const events = (JSON.parse(request.body) as { events: Record<string, unknown>[] }).events;
    sent.push(...events);
    return { status: 202, retryAfter: null, body: { accepted: events.length, rejected: [] } };
  },
});
const DOMAIN = 'nest-middleware-spec';

@Controller('checkout')
class CheckoutController {
  @Get(':subject')
  @HttpCode(200)
  async checkout(@Param('subject') subject: string): Promise<{ v2: boolean }> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return { v2: await OpenFeature.getClient(DOMAIN).getBooleanValue(FLAG, false, { targetingKey: subject }) };
  }
}

@Module({ controllers: [CheckoutController] })
class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(telemetry.nest()).forRoutes('{*splat}');
  }
}

describe('FlagdogTelemetry as NestJS middleware (Fastify adapter)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const provider = new InMemoryProvider({
      [FLAG]: {
        variants: { on: true, off: false },
        defaultVariant: 'off',
        disabled: false,
        contextEvaluator: (c) => (c.targetingKey === 'beta' ? 'on' : 'off'),
      },
    });
    await OpenFeature.setProviderAndWait(DOMAIN, telemetry.wrap(provider));
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    await OpenFeature.close();
  });

  it('reports each request under the variant its handler was served, and an unknown route as not evaluated', async () => {
    for (const subject of ['beta', 'someone', 'beta']) {
      const answer = await app.inject({ method: 'GET', url: `/checkout/${subject}` });
      expect(answer.json()).toEqual({ v2: subject === 'beta' });
    }
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
    await telemetry.flush();
    expect(sent.map((event) => [event.variant, event.statusCode, event.route])).toEqual([
      ['on', 200, '/checkout/beta'],
      ['off', 200, '/checkout/someone'],
      ['on', 200, '/checkout/beta'],
    ]);
    expect(telemetry.stats().requests).toMatchObject({ reported: 3, withoutFlag: 1 });
  });
});
