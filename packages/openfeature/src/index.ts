export { FlagdogTelemetry, MATCHING_EVENT, MAX_SUBJECTS_PER_EXPOSURE, trackMatching } from './flagdog-telemetry';
export type { Exposure, FlagdogTelemetryOptions, FlagdogTelemetryStats, MatchingOutcome } from './flagdog-telemetry';
export { TelemetryProvider } from './telemetry-provider';
export { TelemetrySender, fetchTransport, retryAfterMs, systemClock } from './telemetry-sender';
export type {
  Clock,
  DropCounters,
  HttpTelemetryEvent,
  MatchingTelemetryEvent,
  SenderOptions,
  SenderStats,
  TelemetryEvent,
  Transport,
  TransportRequest,
  TransportResponse,
} from './telemetry-sender';
export { RequestScope } from './request-scope';
export type { FastifyPlugin, NodeMiddleware } from './middleware';
