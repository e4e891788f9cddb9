import { previousSlot } from 'src/beta-monitor/beta-monitor.scheduler';
import { isScheduledLabel, scheduledLabel, slotOfLabel } from 'src/beta-monitor/scheduled-label';

describe('scheduled checkpoint slots', () => {
  it('labels a slot deterministically, to the minute (seconds only for sub-minute schedules)', () => {
    expect(scheduledLabel(new Date('2026-02-01T06:00:00Z'))).toBe('scheduled-2026-02-01T06:00Z');
    expect(scheduledLabel(new Date('2026-02-01T06:00:30Z'))).toBe('scheduled-2026-02-01T06:00:30Z');
  });

  it('reads the slot back from the label it wrote, and nothing from other labels', () => {
    for (const slot of ['2026-02-01T06:00:00.000Z', '2026-02-01T06:00:30.000Z']) {
      expect(slotOfLabel(scheduledLabel(new Date(slot)))?.toISOString()).toBe(slot);
    }
    expect(slotOfLabel('manual-2026-02-01T06:00:00.000Z')).toBeNull();
    expect(slotOfLabel('scheduled-tomorrow')).toBeNull();
    expect(isScheduledLabel('scheduled-tomorrow')).toBe(true);
    expect(isScheduledLabel('manual-1')).toBe(false);
  });

  it('finds the latest slot at or before now, for catching up once', () => {
    expect(previousSlot('0 * * * *', new Date('2026-02-01T06:59:59Z'))).toEqual(new Date('2026-02-01T06:00:00Z'));
    expect(previousSlot('0 * * * *', new Date('2026-02-01T07:00:00Z'))).toEqual(new Date('2026-02-01T07:00:00Z'));
    expect(previousSlot('*/15 * * * *', new Date('2026-02-01T06:44:00Z'))).toEqual(new Date('2026-02-01T06:30:00Z'));
    expect(previousSlot('*/2 * * * * *', new Date('2026-02-01T06:44:05.500Z'))).toEqual(
      new Date('2026-02-01T06:44:04Z'),
    );
  });

  it('finds none when the schedule had no slot in the look-back', () => {
    expect(previousSlot('0 0 1 1 *', new Date('2026-02-01T06:00:00Z'))).toBeNull();
  });
});
