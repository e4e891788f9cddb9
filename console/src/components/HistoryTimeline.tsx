import type { AuditEvent } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { diffOf } from '../lib/diff';
import { Time } from './Time';

const LONG = 120;

/** A changed value; a long one (a phase list, many IDs) folds away behind its start. */
function Value({ text, kind }: { text: string; kind: 'del' | 'ins' }) {
  const Tag = kind;
  if (text.length <= LONG) return <Tag>{text}</Tag>;
  return (
    <details className="long-value">
      <summary>
        <Tag>{text.slice(0, LONG)}…</Tag>
      </summary>
      <Tag>{text}</Tag>
    </details>
  );
}

/** Audit events as a timeline: who (and in which role), what, before → after, why. */
export function HistoryTimeline({ events }: { events: readonly AuditEvent[] }) {
  const { t } = useI18n();
  if (events.length === 0) return <p>{t('history.empty')}</p>;
  return (
    <ol className="timeline">
      {events.map((event) => (
        <li key={event.id}>
          <div>
            <Time iso={event.at} /> — <strong>{t('history.by', { actor: event.actor, role: event.actorRole })}</strong>{' '}
            · <code>{event.action}</code>
          </div>
          <ul className="diff">
            {diffOf(event.before, event.after).map((change) => (
              <li key={change.field}>
                <code>{change.field}</code>: <Value text={change.before} kind="del" /> →{' '}
                <Value text={change.after} kind="ins" />
              </li>
            ))}
          </ul>
          {event.reason && <div className="muted">“{event.reason}”</div>}
        </li>
      ))}
    </ol>
  );
}
