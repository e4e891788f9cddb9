import { useId } from 'react';

export type Series = Readonly<{
  name: string;
  points: ReadonlyArray<{ x: number; y: number | null }>;
  className: string;
}>;

type Props = Readonly<{ title: string; series: readonly Series[]; format: (y: number) => string; empty: string }>;

const W = 640;
const H = 180;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/**
 * A small SVG line chart: a few series over time, drawn by hand (a charting library would weigh
 * more than the rest of the page). Each series also ends with its last value in words.
 */
export function LineChart({ title, series, format, empty }: Props) {
  const titleId = useId();
  const all = series.flatMap((s) => s.points.filter((p): p is { x: number; y: number } => p.y !== null));
  if (all.length < 2) {
    return (
      <figure className="chart">
        <figcaption>{title}</figcaption>
        <p className="muted">{empty}</p>
      </figure>
    );
  }
  const xs = all.map((p) => p.x);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const yMax = Math.max(...all.map((p) => p.y), 0) || 1;
  const sx = (x: number) => PAD.left + ((x - x0) / Math.max(1, x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const path = (points: Series['points']) =>
    points
      .filter((p): p is { x: number; y: number } => p.y !== null)
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
      .join(' ');
  const last = (s: Series) => [...s.points].reverse().find((p) => p.y !== null)?.y ?? null;
  return (
    <figure className="chart">
      <figcaption id={titleId}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId}>
        <line x1={PAD.left} x2={W - PAD.right} y1={sy(0)} y2={sy(0)} className="axis" />
        <line x1={PAD.left} x2={W - PAD.right} y1={sy(yMax)} y2={sy(yMax)} className="grid" />
        <text x={PAD.left - 6} y={sy(yMax) + 4} textAnchor="end" className="tick">
          {format(yMax)}
        </text>
        <text x={PAD.left - 6} y={sy(0) + 4} textAnchor="end" className="tick">
          {format(0)}
        </text>
        {series.map((s) => (
          <path key={s.name} d={path(s.points)} className={`line ${s.className}`} fill="none" />
        ))}
      </svg>
      <ul className="legend">
        {series.map((s) => {
          const value = last(s);
          return (
            <li key={s.name}>
              <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.name}:{' '}
              {value === null ? '—' : format(value)}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
