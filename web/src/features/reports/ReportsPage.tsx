import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useProject } from '../../app/Layout';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { addDays, formatNumber, formatSiteDate, todayIn } from '../../shared/time';
import { Field, fieldError, Loading, PageTitle, ProblemMessage } from '../../shared/ui';
import { BarChart, Legend } from './Charts';
import { shortDate, toCsv, utilization, type Row } from './csv';

const COLUMNS: MessageKey[] = [
  'reports.col.resource',
  'reports.col.date',
  'reports.col.open',
  'reports.col.booked',
  'reports.col.utilization',
  'reports.col.bookings',
  'reports.col.checkedIn',
  'reports.col.onTime',
  'reports.col.delay',
  'reports.col.noShows',
  'reports.col.turnedAway',
];

/** Utilization and punctuality per resource and day: charts, the same figures as a table, and a CSV download. The dates are in the URL. */
export default function ReportsPage() {
  const { t, lang } = useI18n();
  const { project } = useProject();
  const tz = project.timeZone;
  const [params, setParams] = useSearchParams();
  const today = todayIn(tz);
  const from = params.get('from') ?? addDays(today, -6);
  const to = params.get('to') ?? today;
  const report = useQuery({
    queryKey: ['utilization', project.id, from, to],
    queryFn: () =>
      unwrap(api.GET('/api/projects/{projectId}/reports/utilization', { params: { path: { projectId: project.id }, query: { from, to } } })),
  });
  const rows = report.data?.items ?? [];
  const pct = (share: number | null | undefined) => (share == null ? '–' : `${formatNumber(Math.round(share * 100), lang)} %`);
  const maxMinutes = Math.max(0, ...rows.map((r) => Math.max(r.openMinutes * Math.max(1, r.capacity), r.bookedMinutes)));
  const maxCount = Math.max(0, ...rows.map((r) => Math.max(r.noShows, r.turnedAway)));
  const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);
  const checkedIn = sum((r) => r.checkedIn);
  const onTime = sum((r) => (r.onTimeShare ?? 0) * r.checkedIn);

  return (
    <div className="page">
      <PageTitle title={t('reports.title')}>{t('reports.title')}</PageTitle>
      <PeriodForm key={`${from}/${to}`} from={from} to={to} error={report.error} onShow={(f, tt) => setParams({ from: f, to: tt })} />
      <p className="hint">{t('reports.period', { from: formatSiteDate(from, lang, tz), to: formatSiteDate(to, lang, tz), tz })}</p>
      {report.error ? (
        <ProblemMessage error={report.error} />
      ) : !report.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p>{t('reports.empty')}</p>
      ) : (
        <>
          <div className="chart-grid">
            <BarChart
              title={t('reports.chartMinutes')}
              summary={t('reports.summaryMinutes', { booked: formatNumber(sum((r) => r.bookedMinutes), lang), open: formatNumber(sum((r) => r.openMinutes), lang) })}
              rows={rows}
              max={maxMinutes}
              bars={(r) => [
                { value: r.openMinutes * Math.max(1, r.capacity), className: 'bar-open', whole: true },
                { value: r.bookedMinutes, className: 'bar-booked' },
              ]}
              value={(r) => `${formatNumber(r.bookedMinutes, lang)} / ${formatNumber(r.openMinutes * Math.max(1, r.capacity), lang)} min`}
              legend={<Legend items={[['bar-booked', t('reports.legendBooked')], ['bar-open', t('reports.legendOpen')]]} />}
            />
            <BarChart
              title={t('reports.chartOnTime')}
              summary={checkedIn ? t('reports.summaryOnTime', { share: pct(onTime / checkedIn), n: checkedIn }) : t('reports.summaryNoArrivals')}
              rows={rows}
              max={1}
              bars={(r) => [
                { value: 1, className: 'bar-open', whole: true },
                { value: r.onTimeShare ?? 0, className: 'bar-ontime' },
              ]}
              value={(r) => pct(r.onTimeShare)}
              legend={<Legend items={[['bar-ontime', t('reports.legendOnTime')]]} />}
            />
            <BarChart
              title={t('reports.chartMisses')}
              summary={t('reports.summaryMisses', { noShows: sum((r) => r.noShows), turnedAway: sum((r) => r.turnedAway) })}
              rows={rows}
              max={Math.max(1, maxCount)}
              bars={(r) => [
                { value: Math.max(1, maxCount), className: 'bar-track', whole: true },
                { value: r.noShows, className: 'bar-noshow' },
                { value: r.turnedAway, className: 'bar-turned' },
              ]}
              value={(r) => `${r.noShows} · ${r.turnedAway}`}
              legend={<Legend items={[['bar-noshow', t('reports.legendNoShows')], ['bar-turned', t('reports.legendTurnedAway')]]} />}
            />
          </div>
          <section className="card" aria-labelledby="report-table-h">
            <h2 id="report-table-h">{t('reports.table')}</h2>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                const csv = toCsv(rows, COLUMNS.map((c) => t(c)), lang === 'de' ? ';' : ',');
                // A BOM, so that spreadsheets read the umlauts as UTF-8.
                const href = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }));
                const a = document.createElement('a');
                a.href = href;
                a.download = `auslastung-${from}-${to}.csv`;
                document.body.append(a);
                a.click();
                a.remove();
                setTimeout(() => URL.revokeObjectURL(href), 10_000);
              }}
            >
              {t('reports.csv')}
            </button>
            <div className="table-scroll" tabIndex={0} role="region" aria-label={t('reports.table')}>
              <table className="list-table report-table">
                <caption className="sr-only">{t('reports.table')}</caption>
                <thead>
                  <tr>
                    {COLUMNS.map((c) => (
                      <th key={c} scope="col">
                        {t(c)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={`${r.resourceId}-${r.date}`}>
                      <th scope="row">{r.resourceName}</th>
                      <td>{shortDate(r.date, lang)}</td>
                      <td>{formatNumber(r.openMinutes, lang)}</td>
                      <td>{formatNumber(r.bookedMinutes, lang)}</td>
                      <td>{pct(utilization(r))}</td>
                      <td>{r.bookings}</td>
                      <td>{r.checkedIn}</td>
                      <td>{pct(r.onTimeShare)}</td>
                      <td>{r.meanDelayMinutes == null ? '–' : formatNumber(Math.round(r.meanDelayMinutes), lang)}</td>
                      <td>{r.noShows}</td>
                      <td>{r.turnedAway}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}

/** The period's two dates; a new period in the URL (e.g. Back) starts it afresh. */
function PeriodForm({ from, to, error, onShow }: { from: string; to: string; error: unknown; onShow: (from: string, to: string) => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState({ from, to });
  return (
    <form
      className="toolbar"
      onSubmit={(e) => {
        e.preventDefault();
        onShow(draft.from, draft.to);
      }}
    >
      <Field label={t('reports.from')} type="date" required value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} error={fieldError(error, 'from')} />
      <Field label={t('reports.to')} type="date" required value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} error={fieldError(error, 'to')} />
      <button type="submit">{t('reports.show')}</button>
    </form>
  );
}
