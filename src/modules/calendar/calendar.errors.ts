import { registerErrors } from '../../platform/errors.js';

registerErrors({
  DATE_FORMAT: { status: 400, zh: '日期格式应为 YYYY-MM-DD', en: 'A date must be a real date written YYYY-MM-DD' },
  CALENDAR_YEAR_NOT_LOADED: { status: 422, zh: '该年份的工作日历尚未载入，请联系运营人员', en: 'The working-day calendar for that year is not loaded; ask an operator' },
  CALENDAR_YEAR_LOADED: { status: 409, zh: '该年份的工作日历已载入', en: 'The working-day calendar for that year is loaded already' },
  CALENDAR_NO_WORKING_DAY: { status: 422, zh: '日历中找不到工作日', en: 'No working day found in the calendar' },
  // The weekdays are the operators' setting: they and the next window are in the details.
  PAYMENT_WINDOW_CLOSED: { status: 422, zh: '当前不在缴费时间内（仅在规定的缴费日，节假日和寒暑假除外）', en: 'Fees are payable only inside the payment window (on the set weekdays, not holidays or vacations)' },
  PAYMENT_WINDOW_NONE: { status: 422, zh: '近期没有可缴费的日期', en: 'No payment window in the loaded calendar' },
});
