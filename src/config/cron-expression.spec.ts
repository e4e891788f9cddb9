import { cronProblems } from 'src/config/cron-expression';
import { ConfigError, loadConfig } from 'src/config/app-config';

describe('cronProblems', () => {
  it.each(['0 * * * *', '*/5 * * * *', '0 9-17 * * mon-fri', '30 0 * * * *', '@hourly', '0 0 1,15 jan-jun 0'])(
    'accepts %s',
    (expression) => {
      expect(cronProblems(expression)).toEqual([]);
    },
  );

  it.each([
    ['61 * * * *', 'minute 61 is out of range 0-59'],
    ['0 24 * * *', 'hour 24 is out of range 0-23'],
    ['0 0 0 * *', 'day of month 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month 13 is out of range 1-12'],
    ['0 0 * * 8', 'day of week 8 is out of range 0-7'],
    ['0 0 * * funday', 'day of week "funday" is not a number or a name'],
    ['0 5-1 * * *', 'hour range 5-1 runs backwards'],
    ['*/0 * * * *', 'minute step "/0" must be at least 1'],
    ['0 * * *', 'needs 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; it has 4'],
    ['60 0 * * * *', 'second 60 is out of range 0-59'],
  ])('names the field that is wrong in %s', (expression, problem) => {
    expect(cronProblems(expression)).toContain(problem);
  });

  it('is checked when the configuration is read, naming the variable', () => {
    let problems: string[] = [];
    try {
      loadConfig({ JWT_SECRET: 'a'.repeat(32), BETA_MONITOR_CRON: '61 * * * *' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual(['BETA_MONITOR_CRON "61 * * * *": minute 61 is out of range 0-59']);
  });
});
