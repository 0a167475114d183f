import { registerErrors } from '../../platform/errors.js';
// DATE_FORMAT (a malformed ?date=) is the calendar's code, a 400.
import '../calendar/calendar.errors.js';

/** Codes the fare rules (src/domain/fares.ts) throw, mapped to HTTP: bad input is a 400. */
registerErrors({
  FARE_DISTANCE_INVALID: { status: 400, zh: '乘车距离应在 0 到 500 公里之间', en: 'The distance must be between 0 and 500 km' },
  // The calculator's own: a ride of 0 km is no ride to price (a terminal's same-station exit is priced by the fare rules).
  FARE_DISTANCE_ZERO: { status: 400, zh: '请输入大于 0 的乘车距离', en: 'Enter a distance of more than 0 km' },
  FARE_QUERY_INVALID: { status: 400, zh: '乘车方式、乘客类别或线路类型无效', en: 'Unknown mode, rider category or line type' },
  FARE_TABLE_MISSING: { status: 422, zh: '该日期没有适用的票价表', en: 'No fare table applies on that date' },
});
