import { useState } from 'react';
import { Link } from 'react-router';
import { HealthBadge } from '../components/HealthBadge';
import { LoadError } from '../components/Notice';
import { useI18n } from '../i18n/i18n';
import { loadFlagsWithStatus } from '../lib/monitor';
import { useLoad } from '../lib/use-load';

/** Runbook §1: the flags list (…/admin/feature-flags). */
export function FlagsPage() {
  const { t } = useI18n();
  const [filter, setFilter] = useState('');
  const { data, error, loading } = useLoad(loadFlagsWithStatus, [], 15000);
  const needle = filter.trim().toLowerCase();
  const rows = (data ?? []).filter(
    ({ flag }) => !needle || flag.key.includes(needle) || (flag.description ?? '').toLowerCase().includes(needle),
  );
  return (
    <>
      <h1>{t('flags.title')}</h1>
      <label className="filter">
        {t('flags.filter')} <input type="search" value={filter} onChange={(event) => setFilter(event.target.value)} />
      </label>
      <LoadError error={error} />
      {loading && data === undefined ? (
        <p>{t('common.loading')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('flags.key')}</th>
              <th scope="col">{t('flags.enabled')}</th>
              <th scope="col">{t('flags.rollout')}</th>
              <th scope="col">{t('flags.allowlist')}</th>
              <th scope="col">{t('flags.masterSwitch')}</th>
              <th scope="col">{t('flags.phase')}</th>
              <th scope="col">{t('flags.health')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ flag, status }) => (
              <tr key={flag.key}>
                <th scope="row">
                  <Link to={`/feature-flags/${flag.key}`}>{flag.key}</Link>
                  {flag.description && <div className="muted small">{flag.description}</div>}
                </th>
                <td>{flag.enabled ? `✓ ${t('flags.on')}` : `✗ ${t('flags.off')}`}</td>
                <td>{flag.rolloutPercentage} %</td>
                <td>{flag.allowlistCount}</td>
                <td>
                  {flag.masterSwitch === 'off' ? <span className="chip chip-red">{t('flags.masterOff')}</span> : '—'}
                </td>
                <td>
                  {status?.phase ? (
                    <Link to={`/beta-monitor/${flag.key}`}>{status.phase.name}</Link>
                  ) : (
                    <span className="muted">{t('flags.noPhase')}</span>
                  )}
                </td>
                <td>
                  {status?.phase ? <HealthBadge health={status.health} noTraffic={status.healthNote !== null} /> : '—'}
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={7}>{t('flags.empty')}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </>
  );
}
