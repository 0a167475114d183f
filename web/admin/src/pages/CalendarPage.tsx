import { useSearchParams } from 'react-router';
import { CalendarEditor, monthOf } from '../calendar/CalendarEditor.js';
import { canEditCalendar } from '../payments/access.js';
import { useConsoleUser } from '../scope.js';

/** The working-day calendar, one month at a time (`?month=YYYY-MM`); operators edit, card managers read. */
export function CalendarPage() {
  const me = useConsoleUser();
  const [params, setParams] = useSearchParams();
  const month = monthOf(params.get('month'));
  return (
    <CalendarEditor
      month={month}
      editable={canEditCalendar(me.role)}
      onMonthChange={(next) => setParams({ month: next.format('YYYY-MM') })}
    />
  );
}
