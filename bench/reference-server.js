'use strict';
/**
 * The benchmark's reference servers, each in its own process with nothing of flagdog in it:
 *
 *   node bench/reference-server.js nest   # bare NestJS 11 + Fastify: one controller, logger off
 *   node bench/reference-server.js http   # bare node:http
 *
 * Both answer `GET /hello` with `{"hello":"world"}` and `POST /hello` (a small JSON body, as an
 * OFREP request) with `{"hello": <context.targetingKey>}`. Started by bench/run.js with the same
 * load generator settings as flagdog; they answer the same `cpu` / `stop` messages as
 * bench/server.js, so their CPU per request is measured the same way.
 */
require('reflect-metadata');
const http = require('node:http');

async function nest() {
  const { Body, Controller, Get, HttpCode, Module, Post } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { FastifyAdapter } = require('@nestjs/platform-fastify');

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
  const echo = Object.getOwnPropertyDescriptor(HelloController.prototype, 'echo');
  Post('hello')(HelloController.prototype, 'echo', echo);
  HttpCode(200)(HelloController.prototype, 'echo', echo);
  Body()(HelloController.prototype, 'echo', 0);
  Controller()(HelloController);
  class HelloModule {}
  Module({ controllers: [HelloController] })(HelloModule);

  const app = await NestFactory.create(HelloModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: await app.getUrl(), close: () => app.close() };
}

async function bare() {
  const constant = JSON.stringify({ hello: 'world' });
  const server = http.createServer((request, response) => {
    if (request.method === 'GET') {
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(constant),
      });
      response.end(constant);
      return;
    }
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      let body;
      try {
        body = JSON.stringify({ hello: JSON.parse(text)?.context?.targetingKey ?? 'world' });
      } catch {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 72_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const KINDS = { nest, http: bare };

async function main() {
  const kind = process.argv[2];
  if (!KINDS[kind]) throw new Error(`usage: node bench/reference-server.js ${Object.keys(KINDS).join('|')}`);
  const server = await KINDS[kind]();
  process.on('message', (message) => {
    if (message === 'cpu') process.send({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
    if (message === 'stop') server.close().then(() => process.exit(0));
  });
  if (process.send) process.send({ url: server.url });
  else console.log(`listening on ${server.url}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
