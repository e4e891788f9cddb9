import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by the server's entry point, before anything allocates much.
 *
 * V8's allocation-site pretenuring watches how many objects of each allocation site survive a
 * young-generation collection and, above a threshold, allocates that site's objects straight
 * into the old generation. Under HTTP load it can take that decision for Node's and Fastify's
 * per-request objects (request, response, headers, stream state) when a collection happens to
 * find many of them in flight. The decision sticks: from then on every request's garbage goes to
 * the old generation, a full mark-compact runs every second or two and the process spends
 * about 1.5× the CPU per request. Whether it happens varies from one start to the next, so
 * measured figures became bimodal. Switched off, a request's objects die young, as they should.
 * ADR 0021 has the measurements.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
