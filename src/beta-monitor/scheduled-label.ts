/*
 * The label of a scheduled checkpoint names its slot: `scheduled-2026-02-01T06:00Z` (seconds
 * appear only for sub-minute schedules). The scheduler writes it, the go/no-go reads the slot
 * back for its coverage count, and manual runs may not use the prefix.
 */

const PREFIX = 'scheduled-';
const PATTERN = /^scheduled-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)Z$/;

export function scheduledLabel(slot: Date): string {
  const iso = slot.toISOString();
  return `${PREFIX}${slot.getUTCSeconds() === 0 ? iso.slice(0, 16) : iso.slice(0, 19)}Z`;
}

/** Labels with this prefix belong to the schedule. */
export function isScheduledLabel(label: string): boolean {
  return label.startsWith(PREFIX);
}

/** The slot a scheduled label names, or null for any other label. */
export function slotOfLabel(label: string): Date | null {
  const match = PATTERN.exec(label);
  return match ? new Date(`${match[1]}Z`) : null;
}
