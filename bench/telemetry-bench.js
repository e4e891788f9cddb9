'use strict';
/**
 * Telemetry intake throughput (docs/benchmarks.md: ≥ 50,000 events/s per instance). Run by hand after a
 * build, not a test:
 *
 *   npx nest build && node bench/telemetry-bench.js            # in process only
 *   npx nest build && node bench/telemetry-bench.js --http     # plus over HTTP (PostgreSQL or PGlite)
 *
 * In process: TelemetryAggregator.ingest (validation + aggregation) on batches of 5,000 mixed
 * events (80 % http, 20 % matching, 20 flags × 2 variants, times spread over the last 10
 * minutes), alone and together with JSON.parse of the batch body and the global validation
 * pipe's envelope check — what one POST costs the server besides HTTP itself.
 * Over HTTP: autocannon posting batches of BENCH_TELEMETRY_BATCH (default 1,000) events with a
 * service token made for telemetry; events/s = requests/s × batch size. Every 202 comes after the
 * group commit, so this is durable intake; the rows summed at the end must equal what was acknowledged.
 * The server runs with TELEMETRY_RATE_LIMIT raised out of the way: this measures capacity, not the limiter.
 *
 * For bench/run.js: `const { inProcess, prepare, overHttp } = require('./telemetry-bench')`;
 * `inProcess()` → { eventsPerSecond, nsPerEvent, withParseEventsPerSecond, batchMs };
 * `prepare(url, accessToken)` creates the bench flags and a telemetry token and returns the token;
 * `overHttp(server, telemetryToken)` with bench/run.js's server → { eventsPerSecond, rps, errors, cpuPerEventMicros }.
 */
const { join } = require('node:path');

const DIST = join(__dirname, '../dist/src');
const BATCH = 5000;
const FLAGS = Array.from({ length: 20 }, (_, i) => `bench_flag_${String(i).padStart(2, '0')}`);
/** For the bench server's environment: the per-token limit out of the way. */
const UNLIMITED = { TELEMETRY_RATE_LIMIT: '100000000' };

function makeEvents(count, now = Date.now()) {
  const events = [];
  for (let i = 0; i < count; i++) {
    const featureKey = FLAGS[i % FLAGS.length];
    const variant = i % 7 < 3 ? 'on' : 'off';
    const at = new Date(now - (i % 600) * 1000).toISOString();
    if (i % 5 === 4) {
      events.push({
        type: 'matching',
        featureKey,
        variant,
        subjectId: `pass_${String(i).padStart(7, '0')}_2026`,
        matched: i % 10 !== 9,
        timeToMatchMs: 2000 + (i % 13_000),
        at,
      });
    } else {
      const statusCode = i % 97 === 0 ? 503 : i % 53 === 0 ? 401 : i % 31 === 0 ? 404 : 200;
      events.push({
        type: 'http',
        featureKey,
        variant,
        route: '/api/matching/favorites',
        statusCode,
        latencyMs: 5 + ((i * 7919) % 1500) / 3,
        at,
      });
    }
  }
  return events;
}

function time(rounds, work) {
  for (let i = 0; i < Math.min(20, rounds); i++) work(); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) work();
  return Number(process.hrtime.bigint() - started) / 1e6 / rounds; // ms per round
}

async function inProcess({ rounds = 400 } = {}) {
  const { TelemetryAggregator } = require(join(DIST, 'telemetry/telemetry-aggregator'));
  const { StrictValidationPipe } = require(join(DIST, 'http/strict-validation.pipe'));
  const { TelemetryBatchPipe } = require(join(DIST, 'telemetry/telemetry-batch.pipe'));
  const events = makeEvents(BATCH);
  const body = JSON.stringify({ events });
  const aggregator = new TelemetryAggregator();
  const batchMs = time(rounds, () => {
    const result = aggregator.ingest(events);
    if (result.accepted !== BATCH) throw new Error(`rejected: ${JSON.stringify(result.rejected.slice(0, 3))}`);
    if (aggregator.bucketCount > 50_000) aggregator.take();
  });
  const parseMs = time(rounds, () => JSON.parse(body));
  const parsed = JSON.parse(body);
  // What the route does: the global pipe passes the untyped body through, TelemetryBatchPipe checks the envelope.
  const global = new StrictValidationPipe();
  const envelope = new TelemetryBatchPipe();
  const pipeMs = time(rounds, () =>
    envelope.transform(global.transform(parsed, { type: 'body', metatype: Object, data: '' })),
  );
  const withParseMs = batchMs + parseMs + pipeMs;
  return {
    batchBytes: Buffer.byteLength(body),
    batchMs,
    parseMs,
    pipeMs,
    nsPerEvent: (batchMs * 1e6) / BATCH,
    eventsPerSecond: Math.round((BATCH / batchMs) * 1000),
    withParseEventsPerSecond: Math.round((BATCH / withParseMs) * 1000),
  };
}

/** Creates the flags the bench events name (they must exist) and a token made for telemetry. */
async function prepare(url, accessToken) {
  const post = async (path, body) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify(body),
    });
    if (!response.ok && response.status !== 409)
      throw new Error(`${path} → ${response.status} ${await response.text()}`);
    return response.json();
  };
  for (const key of FLAGS) await post('/api/admin/feature-flags', { key });
  const { token } = await post('/api/admin/service-tokens', {
    name: `telemetry-bench-${Date.now()}`,
    permissions: ['telemetry:write'],
  });
  return token;
}

async function overHttp(
  server,
  serviceToken,
  {
    seconds = Number(process.env.BENCH_SECONDS ?? 10),
    batch = Number(process.env.BENCH_TELEMETRY_BATCH ?? 1000),
    connections = 10,
  } = {},
) {
  const autocannon = require('autocannon');
  const body = JSON.stringify({ events: makeEvents(batch) });
  const options = {
    url: `${server.url}/api/telemetry/events`,
    method: 'POST',
    connections,
    headers: { 'content-type': 'application/json', 'x-api-key': serviceToken },
    body,
  };
  const warm = await autocannon({ ...options, duration: 3 }); // warm-up
  const before = server.cpu ? await server.cpu() : null;
  const result = await autocannon({ ...options, duration: seconds });
  const after = server.cpu ? await server.cpu() : null;
  const events = result.requests.total * batch;
  // Warm-up included: every 2xx of either run was committed.
  const acknowledged = (warm['2xx'] + result['2xx']) * batch;
  const cpuMicros = before && after ? after.user + after.system - before.user - before.system : NaN;
  return {
    batch,
    bodyBytes: Buffer.byteLength(body),
    rps: Math.round(result.requests.average),
    eventsPerSecond: Math.round(events / seconds),
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
    ),
    cpuPerEventMicros: cpuMicros / events,
    acknowledged,
  };
}

async function main() {
  const figures = await inProcess();
  console.log(`In process, batches of ${BATCH} mixed events (${(figures.batchBytes / 1024).toFixed(0)} KiB as JSON):`);
  console.log(
    `  TelemetryAggregator.ingest                     ${figures.batchMs.toFixed(2).padStart(8)} ms/batch  ${figures.nsPerEvent.toFixed(0).padStart(6)} ns/event  ${figures.eventsPerSecond.toLocaleString('en').padStart(12)} events/s  target ≥ 50,000`,
  );
  console.log(`  JSON.parse of the body                         ${figures.parseMs.toFixed(2).padStart(8)} ms/batch`);
  console.log(
    `  envelope check (TelemetryBatchPipe)            ${figures.pipeMs.toFixed(2).padStart(8)} ms/batch  (a class-validator DTO through the global pipe: ≈ 20 ms)`,
  );
  console.log(
    `  parse + envelope + ingest                      ${(figures.batchMs + figures.parseMs + figures.pipeMs).toFixed(2).padStart(8)} ms/batch  ${figures.withParseEventsPerSecond.toLocaleString('en').padStart(30)} events/s`,
  );
  if (!process.argv.includes('--http')) return;

  const { fork } = require('node:child_process');
  const { mkdtempSync } = require('node:fs');
  const { tmpdir } = require('node:os');
  const { Client } = require('pg');
  const admin = { email: 'bench-admin@flagdog.test', password: 'bench admin passphrase' };
  let env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'flagdog-telemetry-bench-')) };
  let label = 'embedded PGlite';
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  try {
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.query('DROP DATABASE IF EXISTS flagdog_telemetry_bench WITH (FORCE)');
    await client.query('CREATE DATABASE flagdog_telemetry_bench');
    await client.end();
    const url = new URL(adminUrl);
    url.pathname = '/flagdog_telemetry_bench';
    env = { DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '10' };
    label = 'PostgreSQL';
  } catch {
    // PGlite it is.
  }
  const child = fork(join(__dirname, 'server.js'), [], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      JWT_SECRET: 'bench-secret-that-is-long-enough-1234567',
      BOOTSTRAP_ADMIN_EMAIL: admin.email,
      BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      ...UNLIMITED,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { url } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const post = async (path, body, token) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} → ${response.status} ${await response.text()}`);
    return response.json();
  };
  const { accessToken } = await post('/api/auth/login', admin);
  const token = await prepare(url, accessToken);
  const cpu = () =>
    new Promise((resolve) => {
      child.once('message', (message) => resolve(message.cpu));
      child.send('cpu');
    });
  const server = { url, cpu };
  console.log(`\nOver HTTP (${label}, loopback, 10 keep-alive connections; each 202 after the commit):`);
  let acknowledged = 0;
  for (const batch of [100, 1000, 5000]) {
    const result = await overHttp(server, token, { batch, seconds: Number(process.env.BENCH_SECONDS ?? 10) });
    console.log(
      `  POST /api/telemetry/events, ${String(batch).padStart(4)} events/request (${(result.bodyBytes / 1024).toFixed(0).padStart(3)} KiB)  ` +
        `${String(result.rps).padStart(5)} req/s  ${result.eventsPerSecond.toLocaleString('en').padStart(10)} events/s  p99 ${result.p99Ms} ms  ` +
        `${(result.cpuPerEventMicros * 1000).toFixed(0)} ns CPU/event  errors ${result.errors}${result.errors ? ` (answers: ${JSON.stringify(result.statuses)})` : ''}`,
    );
    acknowledged += result.acknowledged;
  }
  if (label === 'PostgreSQL') {
    const client = new Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(
      'SELECT count(*)::int AS rows, coalesce(sum(requests + matching_total), 0)::bigint AS events FROM telemetry_minutes',
    );
    await client.end();
    console.log(
      `  stored: ${rows[0].rows} minute rows holding ${Number(rows[0].events).toLocaleString('en')} events (storage follows minutes × flags, not volume); acknowledged ${acknowledged.toLocaleString('en')}`,
    );
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await exited;
}

module.exports = { inProcess, prepare, overHttp, makeEvents, UNLIMITED };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
