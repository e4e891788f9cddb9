import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { ADVISORY_LOCKS } from 'src/database/advisory-locks';
import { inStartupTransaction, startupTimeoutMs } from 'src/database/data-source-options';

export type ChangeKind = 'flag' | 'allowlist_add' | 'allowlist_remove' | 'allowlist_clear' | 'service_tokens';

export type FlagChangeState = Readonly<{
  enabled: boolean;
  rolloutBasisPoints: number;
  version: number;
  archived: boolean;
}>;

export type Change = Readonly<{
  id: number;
  kind: ChangeKind;
  featureKey: string | null;
  state: FlagChangeState | null;
  subjectIds: string[] | null;
}>;

/** Something that keeps an in-memory copy of database state: it loads it, then follows changes. */
export interface ChangeSubscriber {
  /** Loads the full state inside the feed's repeatable-read transaction. */
  load(manager: EntityManager): Promise<void>;
  apply(change: Change): void;
}

export type FeedHealth = Readonly<{
  loaded: boolean;
  /** Whether changes arrive by LISTEN/NOTIFY now (else by the 500 ms poll only). */
  listening: boolean;
  revision: number;
  lastSyncAt: string | null;
  lastError: string | null;
}>;

const CHANNEL = 'flagdog_changes';
/** How long close() waits for the LISTEN connection to say goodbye before dropping its socket. */
const LISTENER_END_MS = 500;
const POLL_MS = 500;
const BATCH = 2000;

/**
 * The change feed (ADR 0006): every committed change to flags, allowlists and service tokens is
 * appended to `flag_changes` in its own transaction and announced with NOTIFY. Each instance
 * loads a consistent snapshot once, then applies the journal in order: on NOTIFY, on a 500 ms
 * poll (the safety net, and the only path on the embedded database), and right after its own
 * writes. When the database is unreachable the last snapshot keeps serving (fail-static).
 */
@Injectable()
export class ChangeFeedService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeedService.name);
  private readonly subscribers: ChangeSubscriber[] = [];
  private revision = 0;
  private loaded = false;
  private lastSyncAt: Date | null = null;
  private lastError: string | null = null;
  private pulling: Promise<void> | null = null;
  private pullAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private listener: Client | null = null;
  private listenFailures = 0;
  private listening = false;
  private stopped = false;
  /** The back-off wait before the next LISTEN attempt; cleared on shutdown. */
  private relistenTimer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  subscribe(subscriber: ChangeSubscriber): void {
    this.subscribers.push(subscriber);
  }

  /** Appends a change inside the writer's transaction; NOTIFY is delivered at commit. */
  async append(
    manager: EntityManager,
    change: Readonly<{ kind: ChangeKind; featureKey?: string; state?: FlagChangeState; subjectIds?: string[] }>,
  ): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.changeFeed]);
    await manager.query(`INSERT INTO flag_changes (kind, feature_key, state, subject_ids) VALUES ($1, $2, $3, $4)`, [
      change.kind,
      change.featureKey ?? null,
      change.state ?? null,
      change.subjectIds ?? null,
    ]);
    await manager.query(`SELECT pg_notify($1, '')`, [CHANNEL]);
  }

  async onApplicationBootstrap(): Promise<void> {
    const bound = startupTimeoutMs(this.config.databaseTimeoutMs);
    await inStartupTransaction(
      this.dataSource,
      bound,
      async (manager) => {
        const [{ revision }] = await manager.query(`SELECT coalesce(max(id), 0)::bigint AS revision FROM flag_changes`);
        for (const subscriber of this.subscribers) await subscriber.load(manager);
        this.revision = Number(revision);
      },
      'REPEATABLE READ',
    );
    this.loaded = true;
    this.lastSyncAt = new Date();
    this.timer = setInterval(() => void this.pull(), POLL_MS);
    this.timer.unref();
    // LISTEN needs a connection of its own; a one-connection database (PGlite) relies on the poll.
    if (this.config.databasePoolSize > 1) void this.listen();
  }

  /**
   * Stops everything this service started: the poll, a pending LISTEN reconnect, and the LISTEN
   * connection itself. Bounded even while the database is black-holed (a polite end() would wait
   * for an answer that never comes): after LISTENER_END_MS the socket is dropped. No timer or
   * reconnect survives this.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.relistenTimer) clearTimeout(this.relistenTimer);
    this.relistenTimer = null;
    const listener = this.listener;
    this.listener = null;
    this.listening = false;
    if (listener !== null) await endWithin(listener, LISTENER_END_MS);
    await this.pulling;
  }

  health(): FeedHealth {
    return {
      loaded: this.loaded,
      listening: this.listening,
      revision: this.revision,
      lastSyncAt: this.lastSyncAt?.toISOString() ?? null,
      lastError: this.lastError,
    };
  }

  /** Applies every change committed since the last pull. Single-flight; never throws. */
  pull(): Promise<void> {
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = this.drain().finally(() => {
      this.pulling = null;
      if (this.pullAgain && !this.stopped) {
        this.pullAgain = false;
        void this.pull();
      }
    });
    return this.pulling;
  }

  private async drain(): Promise<void> {
    if (!this.loaded || this.stopped) return;
    try {
      for (;;) {
        const rows: {
          id: string;
          kind: ChangeKind;
          feature_key: string | null;
          state: FlagChangeState | null;
          subject_ids: string[] | null;
        }[] = await this.dataSource.query(
          `SELECT id, kind, feature_key, state, subject_ids FROM flag_changes WHERE id > $1 ORDER BY id LIMIT ${BATCH}`,
          [this.revision],
        );
        for (const row of rows) {
          const change: Change = {
            id: Number(row.id),
            kind: row.kind,
            featureKey: row.feature_key,
            state: row.state,
            subjectIds: row.subject_ids,
          };
          for (const subscriber of this.subscribers) subscriber.apply(change);
          this.revision = change.id;
        }
        if (rows.length < BATCH) break;
      }
      if (this.lastError !== null) this.logger.log('Change feed reconnected; snapshot is current again');
      this.lastError = null;
      this.lastSyncAt = new Date();
    } catch (error) {
      if (this.lastError === null) {
        this.logger.warn({ err: error }, 'Change feed cannot reach the database; serving the last snapshot');
      }
      this.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  /** A dedicated connection for LISTEN (PostgreSQL only), reconnecting with back-off. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const url = this.dataSource.options.type === 'postgres' ? (this.dataSource.options.url as string) : '';
    const client = new Client({
      connectionString: url,
      application_name: 'flagdog-listener',
      // Bounded like the pool: a silent database neither hangs the connect nor goes unnoticed.
      connectionTimeoutMillis: this.config.databaseTimeoutMs,
      query_timeout: this.config.databaseTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10000,
    });
    this.listener = client;
    client.on('notification', () => void this.pull());
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = null;
      this.relisten();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.stopped) throw new Error('stopped');
      this.listenFailures = 0;
      this.listening = true;
      void this.pull();
    } catch {
      if (this.listener === client) this.listener = null;
      await endWithin(client, LISTENER_END_MS);
      this.relisten();
    }
  }

  private relisten(): void {
    if (this.stopped || this.relistenTimer !== null) return;
    this.listenFailures += 1;
    this.relistenTimer = setTimeout(
      () => {
        this.relistenTimer = null;
        void this.listen();
      },
      Math.min(250 * 2 ** (this.listenFailures - 1), 5000),
    );
    this.relistenTimer.unref();
  }
}

/** Ends a pg client politely, or drops its socket when the database does not answer in time. */
async function endWithin(client: Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = client.end().then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const politely = await Promise.race([ended, late]);
  clearTimeout(timer);
  if (!politely) {
    const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
    stream?.destroy();
  }
}
