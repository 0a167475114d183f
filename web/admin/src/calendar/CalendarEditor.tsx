import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Calendar, Card, Popconfirm, Space, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { errorText, fill, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import type { CalendarDay, CalendarMonth } from '../payments/types.js';
import { DayEditModal } from './DayEditModal.js';
import { isMakeUpDay } from './dayKind.js';
import { calendarMessages, type CalendarTexts } from './messages.js';
import { useDayjsLocale } from './useDayjsLocale.js';

export const calendarKey = (year: number, month: number) => ['calendar', year, month] as const;

function DayCell({ day, c }: { day: CalendarDay | undefined; c: CalendarTexts }) {
  if (!day) return null;
  const makeUp = isMakeUpDay(day);
  const off = !day.isWorkingDay;
  return (
    <div
      data-testid={`day-${day.date}`}
      data-working={String(day.isWorkingDay)}
      data-holiday={String(day.isHoliday)}
      data-vacation={String(day.isVacation)}
      className={off ? 'calendar-day-off' : undefined}
    >
      <Space size={2} wrap>
        {day.isHoliday && <Tag color="red">{c.holidayTag}</Tag>}
        {makeUp && <Tag color="orange">{c.makeUpTag}</Tag>}
        {day.isVacation && <Tag color="purple">{c.vacationTag}</Tag>}
        {day.edited && <Tag color="blue" title={c.legendEdited}>✎</Tag>}
        {off && !day.isHoliday && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.legendRest}</Typography.Text>}
      </Space>
      {day.name && <div><Typography.Text type={off ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>{day.name}</Typography.Text></div>}
    </div>
  );
}

/** [2004, 2005, …, 2026, 2028] → ['2004–2026', '2028']: a long list of loaded years stays short. */
export function yearRanges(years: readonly number[]): string[] {
  const ranges: string[] = [];
  const sorted = [...years].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return ranges;
}

function Legend({ c }: { c: CalendarTexts }) {
  return (
    <Space wrap size={4}>
      <Tag>{c.legendWorking}</Tag>
      <Tag color="red">{c.holidayTag} · {c.legendHoliday}</Tag>
      <Tag color="orange">{c.makeUpTag} · {c.legendMakeUp}</Tag>
      <Tag color="purple">{c.vacationTag} · {c.legendVacation}</Tag>
      <Tag color="blue">✎ · {c.legendEdited}</Tag>
    </Space>
  );
}

/** An operator opens a year the library does not know yet, weekdays working, to mark its holidays by hand. */
function OpenYearButton({ year }: { year: number }) {
  const c = useMessages(calendarMessages);
  const { lang } = useLang();
  const { message } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const open = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => admin.mutate('POST', '/admin/calendar/years', { year }, idempotencyKey),
    onSuccess: async () => {
      void message.success(fill(c.yearOpened, { year }));
      await queryClient.invalidateQueries({ queryKey: ['calendar'] });
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Popconfirm title={fill(c.openYearConfirm, { year })} okText={fill(c.openYear, { year })} onConfirm={() => open.mutate()}>
      <Button size="small" type="primary" loading={open.isPending} data-testid="open-year">{fill(c.openYear, { year })}</Button>
    </Popconfirm>
  );
}

/**
 * A month of the working-day calendar: public holidays, make-up working days, school vacations
 * and hand edits, whether the year is loaded at all; operators click a day to correct it.
 */
export function CalendarEditor({ month, onMonthChange, editable }: { month: Dayjs; onMonthChange: (month: Dayjs) => void; editable: boolean }) {
  const c = useMessages(calendarMessages);
  useDayjsLocale();
  const api = useApi();
  const [editing, setEditing] = useState<CalendarDay | null>(null);
  const year = month.year();
  const monthNo = month.month() + 1;
  const data = useQuery({
    queryKey: calendarKey(year, monthNo),
    queryFn: ({ signal }) => api.get<CalendarMonth>('/admin/calendar', { year, month: monthNo }, signal),
    placeholderData: keepPreviousData,
  });
  const days = new Map((data.data?.days ?? []).map((d) => [d.date, d]));
  const loaded = data.data ? data.data.loadedYears.includes(year) : true;

  return (
    <Card
      title={c.calendar}
      extra={
        <Space wrap data-testid="loaded-years">
          <Typography.Text type="secondary">{c.loadedYears}</Typography.Text>
          {yearRanges(data.data?.loadedYears ?? []).map((range) => <Tag key={range} color={loaded && range.includes(String(year)) ? 'green' : undefined}>{range}</Tag>)}
        </Space>
      }
    >
      {data.isError && <LoadError error={data.error} onRetry={() => void data.refetch()} />}
      {!loaded && (
        <Alert
          type="warning" showIcon title={fill(c.yearNotLoaded, { year })} style={{ marginBottom: 16 }} data-testid="year-not-loaded"
          action={editable && <OpenYearButton year={year} />}
        />
      )}
      {data.data?.provisionalYears.includes(year) && <Alert type="info" showIcon title={fill(c.yearProvisional, { year })} style={{ marginBottom: 16 }} data-testid="year-provisional" />}
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Legend c={c} />
          <Typography.Text type="secondary">{editable ? c.clickToEdit : c.readOnly}</Typography.Text>
        </Space>
        <Calendar
          value={month}
          onPanelChange={(date) => onMonthChange(date)}
          onSelect={(date, info) => {
            if (info.source !== 'date') {
              onMonthChange(date);
              return;
            }
            if (!date.isSame(month, 'month')) onMonthChange(date);
            const day = days.get(date.format('YYYY-MM-DD'));
            if (editable && day && date.isSame(month, 'month')) setEditing(day);
          }}
          cellRender={(date, info) => (info.type === 'date' && date.isSame(month, 'month') ? <DayCell day={days.get(date.format('YYYY-MM-DD'))} c={c} /> : null)}
        />
      </Space>
      <DayEditModal day={editing} onClose={() => setEditing(null)} />
    </Card>
  );
}

export const monthOf = (text: string | null) => {
  const parsed = text && /^\d{4}-\d{2}$/.test(text) ? dayjs(`${text}-01`) : null;
  return parsed?.isValid() ? parsed : dayjs().startOf('month');
};
