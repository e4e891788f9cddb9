'use strict';
/**
 * The benchmark's server: the real flagdog app (compiled, from dist/) plus one reference route,
 * `GET /bench/hello`, a public NestJS-on-Fastify handler returning a constant, so flagdog's
 * evaluation routes are measured against the same framework, pipeline and process.
 * Started by bench/run.js as a child process; answers `cpu` messages with process.cpuUsage().
 */
// The same V8 setting as the server's entry point, first, as there.
require('../dist/src/gc-tuning');
const { Body, Controller, Get, HttpCode, Post } = require('@nestjs/common');
const { createApp } = require('../dist/src/app.factory');
const { loadConfig } = require('../dist/src/config/app-config');
const { Public } = require('../dist/src/auth/access.decorator');

class HelloController {
  hello() {
    return { hello: 'world' };
  }
  echo(body) {
    return { hello: body?.context?.targetingKey ?? 'world' };
  }
}
const hello = Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello');
Get('hello')(HelloController.prototype, 'hello', hello);
Public()(HelloController.prototype, 'hello', hello);
// The same with a small JSON body, the reference for POST routes such as OFREP's.
const echo = Object.getOwnPropertyDescriptor(HelloController.prototype, 'echo');
Post('hello')(HelloController.prototype, 'echo', echo);
HttpCode(200)(HelloController.prototype, 'echo', echo);
Public()(HelloController.prototype, 'echo', echo);
Body()(HelloController.prototype, 'echo', 0);
Controller('bench')(HelloController);

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
  const app = await createApp(config, {
    databaseUrl: config.databaseUrl,
    extraControllers: [HelloController],
    logStream: { write: () => undefined },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.on('message', (message) => {
    if (message === 'cpu') process.send({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
    if (message === 'stop') app.close().then(() => process.exit(0));
  });
  process.send({ url: await app.getUrl() });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
