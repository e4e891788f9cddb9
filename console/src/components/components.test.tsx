import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider } from '../i18n/i18n';
import { HealthBadge } from './HealthBadge';
import { HistoryTimeline } from './HistoryTimeline';

afterEach(cleanup);

describe('HealthBadge', () => {
  it('says the health in words beside the colour', () => {
    sessionStorage.setItem('flagdog.language', 'en');
    render(
      <I18nProvider>
        <HealthBadge health="YELLOW" />
      </I18nProvider>,
    );
    expect(screen.getByText(/YELLOW — warning/)).toBeTruthy();
  });

  it('says "no traffic in this window" instead of "healthy" when the checkpoint saw nothing', () => {
    sessionStorage.setItem('flagdog.language', 'en');
    render(
      <I18nProvider>
        <HealthBadge health="GREEN" noTraffic />
      </I18nProvider>,
    );
    expect(screen.getByText(/GREEN — no traffic in this window/)).toBeTruthy();
    expect(screen.queryByText(/healthy/)).toBeNull();
  });
});

describe('HistoryTimeline', () => {
  it('renders who, in which role, and the change as before → after', () => {
    sessionStorage.setItem('flagdog.language', 'pt-BR');
    render(
      <I18nProvider>
        <HistoryTimeline
          events={[
            {
              id: '1',
              at: '2026-02-01T06:00:00Z',
              actor: 'ops@kaviar.test',
              actorRole: 'OPERATOR',
              action: 'flag.updated',
              featureKey: 'passenger_favorites_matching',
              before: { enabled: true, version: 3 } as never,
              after: { enabled: false, version: 4 } as never,
              reason: '5xx spike',
              requestId: 'r1',
            },
          ]}
        />
      </I18nProvider>,
    );
    expect(screen.getByText('ops@kaviar.test (OPERATOR)')).toBeTruthy();
    const item = screen.getAllByRole('listitem')[0]!.textContent ?? '';
    expect(item).toContain('enabled: true → false');
    expect(item).not.toContain('version');
    expect(screen.getByText('“5xx spike”')).toBeTruthy();
  });
});
