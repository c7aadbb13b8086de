// The report's charts, drawn as inline SVG bars (no chart library): the
// canvas libraries (uPlot, Chart.js) draw pixels a screen reader cannot
// read and cost 20-65 kB; here each chart is one labelled image over HTML
// row labels, and every figure is also in the table below the charts.
import { useId, type ReactNode } from 'react';
import { useI18n } from '../../shared/i18n';
import { shortDate, type Row } from './csv';

export interface Bar {
  value: number;
  className: string;
  /** Drawn as an outline behind the others (the whole, e.g. open minutes). */
  whole?: boolean;
}

/** A horizontal bar chart, one line per resource and day. */
export function BarChart({
  title,
  summary,
  rows,
  max,
  bars,
  value,
  legend,
}: {
  title: string;
  summary: string;
  rows: Row[];
  max: number;
  bars: (r: Row) => Bar[];
  value: (r: Row) => string;
  legend: ReactNode;
}) {
  const { lang } = useI18n();
  const id = useId();
  const scale = (v: number) => (max > 0 ? (100 * v) / max : 0);
  return (
    <figure className="chart card" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>
        <h3>{title}</h3>
      </figcaption>
      {legend}
      <div role="img" aria-label={`${title}. ${summary}`}>
        <ul className="chart-rows" aria-hidden="true">
          {rows.map((r) => (
            <li key={`${r.resourceId}-${r.date}`}>
              <span className="chart-label">
                {r.resourceName} · {shortDate(r.date, lang)}
              </span>
              <svg className="chart-bar" viewBox="0 0 100 10" preserveAspectRatio="none" focusable="false">
                {bars(r)
                  .filter((b) => b.whole)
                  .map((b) => (
                    <rect key={b.className} className={b.className} x="0.25" y="0.5" width={Math.max(0, scale(b.value) - 0.5)} height="9" vectorEffect="non-scaling-stroke" />
                  ))}
                {bars(r)
                  .filter((b) => !b.whole)
                  .map((b, i, all) => (
                    // Several measures share the line, one band each.
                    <rect key={b.className} className={b.className} x="0" y={1 + (i * 8) / all.length} width={scale(b.value)} height={8 / all.length} />
                  ))}
              </svg>
              <span className="chart-value">{value(r)}</span>
            </li>
          ))}
        </ul>
      </div>
    </figure>
  );
}

export function Legend({ items }: { items: [string, string][] }) {
  return (
    <ul className="chart-legend">
      {items.map(([className, label]) => (
        <li key={className}>
          <svg width="16" height="16" aria-hidden="true" focusable="false">
            <rect className={className} x="1" y="1" width="14" height="14" />
          </svg>
          {label}
        </li>
      ))}
    </ul>
  );
}
