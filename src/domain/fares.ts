import { isIsoDate, shanghaiDate } from './calendar.js';
import { DomainError } from './errors.js';
import { assertFen, formatYuan } from './money.js';

/**
 * Beijing public transport fares. The numbers are data (FARE_TABLES), versioned by the date
 * they took effect, so a fare change is a new table rather than a code change, and a ride is
 * always priced by the table in force on its own date.
 *
 * Decisions (written here because the sources leave them open):
 * - Distances are resolved to the whole metre before pricing, so float noise such as
 *   10.000000000000002 km does not tip a ride into the next band.
 * - Discounted fares round to whole fen, half up. Today's fares are whole yuan and the rates
 *   25/50/80/50 % give whole fen anyway; the rule is there for future tables.
 * - The student rate (25 %) covers ordinary ground buses only. On tourist, express-direct and
 *   customised lines a student card pays the ordinary card rate (50 %).
 * - Rail has no student rate: student and ordinary cards pay the same full fare and both earn
 *   the monthly cumulative discount. Cash (single-journey tickets) pays full fare and does not
 *   take part in the monthly discount.
 */

export type TransitMode = 'bus' | 'rail';
export type RiderCategory = 'student' | 'ordinary' | 'cash';
export type BusLineType = 'ordinary' | 'tourist' | 'express' | 'customised';

export interface RailBand {
  /** Inclusive upper bound of the band. */
  upToKm: number;
  fareFen: number;
}

export interface RailMonthlyTier {
  /** Applies to rides taken once the month's rail spend before the ride reaches this. */
  fromSpentFen: number;
  ratePercent: number;
}

export interface FareTable {
  /** First day (Asia/Shanghai) the table applies. */
  effectiveFrom: string;
  source: string;
  bus: {
    baseFareFen: number;
    /** Inclusive: a ride of exactly baseKm pays the base fare. */
    baseKm: number;
    stepFareFen: number;
    /** Each further step or part of one adds stepFareFen. */
    stepKm: number;
    ratePercent: Readonly<Record<RiderCategory, number>>;
    studentRateLineTypes: readonly BusLineType[];
  };
  rail: {
    bands: readonly RailBand[];
    /** Beyond the last band, each further step or part of one adds stepFareFen. */
    stepKm: number;
    stepFareFen: number;
    /** Ascending by fromSpentFen; the first starts at 0. */
    monthlyTiers: readonly RailMonthlyTier[];
  };
}

const BEIJING_2014: FareTable = {
  effectiveFrom: '2014-12-28',
  source: 'Beijing public transport fare reform, effective 2014-12-28 (Xinhua / china.org.cn 2014-12-28)',
  bus: {
    baseFareFen: 200,
    baseKm: 10,
    stepFareFen: 100,
    stepKm: 5,
    ratePercent: { student: 25, ordinary: 50, cash: 100 },
    studentRateLineTypes: ['ordinary'],
  },
  rail: {
    bands: [
      { upToKm: 6, fareFen: 300 },
      { upToKm: 12, fareFen: 400 },
      { upToKm: 22, fareFen: 500 },
      { upToKm: 32, fareFen: 600 },
    ],
    stepKm: 20,
    stepFareFen: 100,
    monthlyTiers: [
      { fromSpentFen: 0, ratePercent: 100 },
      { fromSpentFen: 10_000, ratePercent: 80 },
      { fromSpentFen: 15_000, ratePercent: 50 },
      { fromSpentFen: 40_000, ratePercent: 100 },
    ],
  },
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Ascending by effectiveFrom. Frozen: fares are shared data, never edited at run time. */
export const FARE_TABLES: readonly FareTable[] = deepFreeze([BEIJING_2014]);

/** Longer than any ride in the network; beyond it the distance is a data error. */
export const MAX_FARE_DISTANCE_KM = 500;

function today(): string {
  return shanghaiDate(new Date());
}

/** The table in force on `date` ('YYYY-MM-DD'); `tables` is injectable so versioning can be tested. */
export function fareTableFor(date: string, tables: readonly FareTable[] = FARE_TABLES): FareTable {
  if (!isIsoDate(date)) {
    throw new DomainError('DATE_FORMAT', '日期格式应为 YYYY-MM-DD', 'A date must be a real date written YYYY-MM-DD', { date });
  }
  const inForce = tables.filter((t) => t.effectiveFrom <= date).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const table = inForce.at(-1);
  if (!table) {
    throw new DomainError('FARE_TABLE_MISSING', `${date} 没有适用的票价表`, `No fare table applies on ${date}`, { date });
  }
  return table;
}

function toMetres(km: number): number {
  return Math.round(km * 1000);
}

function distanceMetres(distanceKm: number): number {
  const valid = typeof distanceKm === 'number' && Number.isFinite(distanceKm) && distanceKm >= 0 && distanceKm <= MAX_FARE_DISTANCE_KM;
  if (!valid) {
    throw new DomainError('FARE_DISTANCE_INVALID', `乘车距离应在 0 到 ${MAX_FARE_DISTANCE_KM} 公里之间`, `The distance must be between 0 and ${MAX_FARE_DISTANCE_KM} km`, { distanceKm });
  }
  return toMetres(distanceKm);
}

/** Number of started steps of `stepM` metres beyond `fromM`: 0.1 km past a boundary is one step. */
function stepsBeyond(distanceM: number, fromM: number, stepM: number): number {
  return distanceM <= fromM ? 0 : Math.ceil((distanceM - fromM) / stepM);
}

function busFullFareFen(distanceM: number, bus: FareTable['bus']): number {
  return bus.baseFareFen + stepsBeyond(distanceM, toMetres(bus.baseKm), toMetres(bus.stepKm)) * bus.stepFareFen;
}

function railFullFareFen(distanceM: number, rail: FareTable['rail']): number {
  const band = rail.bands.find((b) => distanceM <= toMetres(b.upToKm));
  if (band) return band.fareFen;
  const last = rail.bands.at(-1)!;
  return last.fareFen + stepsBeyond(distanceM, toMetres(last.upToKm), toMetres(rail.stepKm)) * rail.stepFareFen;
}

/** Full (undiscounted) fare of a ride, in fen. */
export function fullFareFen(mode: TransitMode, distanceKm: number, table: FareTable): number {
  const distanceM = distanceMetres(distanceKm);
  return mode === 'bus' ? busFullFareFen(distanceM, table.bus) : railFullFareFen(distanceM, table.rail);
}

/** `fen × percent / 100` rounded half up to whole fen, in integers so no float error creeps in. */
export function applyRatePercent(fen: number, percent: number): number {
  return Math.floor((fen * percent + 50) / 100);
}

export interface Explanation {
  zh: string;
  en: string;
}

export interface RailMonthlyResult {
  fareFen: number;
  /** 1, 0.8 or 0.5 under today's table. */
  rateApplied: number;
  ratePercent: number;
  /** Index into the table's monthlyTiers: 0 below ¥100, 1 from ¥100, 2 from ¥150, 3 from ¥400. */
  tier: number;
  tierFromSpentFen: number;
  /** Spend at which the next tier starts, or null in the last tier: for "¥x more to 80 %" hints. */
  nextTierFromSpentFen: number | null;
  explanation: Explanation;
}

/** '原价' / '恢复原价', or ' 8 折' with a leading space so it reads '本次 8 折' but '本次原价'. */
function zhRate(percent: number, again: boolean): string {
  if (percent === 100) return again ? '恢复原价' : '原价';
  return ` ${percent / 10} 折`;
}

function enRate(percent: number, again: boolean): string {
  if (percent === 100) return again ? 'full fare again' : 'full fare';
  return `${percent}%`;
}

function monthlyExplanation(monthSpentFen: number, tiers: readonly RailMonthlyTier[], tier: number): Explanation {
  const spent = formatYuan(monthSpentFen);
  const { fromSpentFen, ratePercent } = tiers[tier]!;
  if (tier === 0) {
    const next = tiers[1];
    const below = next ? `，未满 ${next.fromSpentFen / 100} 元` : '';
    const belowEn = next ? `, below ¥${next.fromSpentFen / 100}` : '';
    return { zh: `本月轨道累计 ${spent}${below}，本次${zhRate(ratePercent, false)}`, en: `Rail spend this month ${spent}${belowEn}: this ride at ${enRate(ratePercent, false)}` };
  }
  return {
    zh: `本月轨道累计 ${spent}，已满 ${fromSpentFen / 100} 元，本次${zhRate(ratePercent, true)}`,
    en: `Rail spend this month ${spent}, past ¥${fromSpentFen / 100}: this ride at ${enRate(ratePercent, true)}`,
  };
}

function tierIndexFor(monthSpentFen: number, tiers: readonly RailMonthlyTier[]): number {
  let index = 0;
  tiers.forEach((t, i) => {
    if (monthSpentFen >= t.fromSpentFen) index = i;
  });
  return index;
}

function monthlyDiscount(fullFen: number, monthSpentFen: number, tiers: readonly RailMonthlyTier[]): RailMonthlyResult {
  assertFen(fullFen);
  assertFen(monthSpentFen);
  // The rate comes from the spend BEFORE this ride, so the ride that crosses a threshold pays the old rate.
  const tier = tierIndexFor(monthSpentFen, tiers);
  const { fromSpentFen, ratePercent } = tiers[tier]!;
  return {
    fareFen: applyRatePercent(fullFen, ratePercent),
    rateApplied: ratePercent / 100,
    ratePercent,
    tier,
    tierFromSpentFen: fromSpentFen,
    nextTierFromSpentFen: tiers[tier + 1]?.fromSpentFen ?? null,
    explanation: monthlyExplanation(monthSpentFen, tiers, tier),
  };
}

/**
 * The rail monthly cumulative discount for one ride: with `monthSpentFen` spent on rail this
 * calendar month before the ride, ≥ ¥100 pays 80 %, ≥ ¥150 pays 50 %, ≥ ¥400 pays full fare again.
 */
export function railFareWithMonthlyDiscount(input: { fullFareFen: number; monthSpentFen: number; date?: string }): RailMonthlyResult {
  const table = fareTableFor(input.date ?? today());
  return monthlyDiscount(input.fullFareFen, input.monthSpentFen, table.rail.monthlyTiers);
}

export type FareRule =
  | 'BUS_STUDENT'
  | 'BUS_ORDINARY_CARD'
  /** A student card on a tourist, express-direct or customised line: ordinary card rate. */
  | 'BUS_STUDENT_LINE_EXCLUDED'
  | 'BUS_CASH'
  | 'RAIL_CARD'
  | 'RAIL_CASH';

export interface FareQuery {
  mode: TransitMode;
  distanceKm: number;
  category: RiderCategory;
  /** Bus only; defaults to 'ordinary'. */
  lineType?: BusLineType;
  /** Rail only: this card's rail spend this calendar month before the ride; defaults to 0. */
  monthSpentFen?: number;
  /** Ride date 'YYYY-MM-DD' choosing the fare table; defaults to today in Beijing. */
  date?: string;
}

export interface FareQuote {
  fareFen: number;
  fullFareFen: number;
  ratePercent: number;
  rule: FareRule;
  explanation: Explanation;
}

const LINE_NAMES: Record<BusLineType, Explanation> = {
  ordinary: { zh: '普通线路', en: 'ordinary' },
  tourist: { zh: '旅游线路', en: 'tourist' },
  express: { zh: '快速直达专线', en: 'express-direct' },
  customised: { zh: '定制公交', en: 'customised' },
};

function busRule(category: RiderCategory, lineType: BusLineType, bus: FareTable['bus']): FareRule {
  if (category === 'cash') return 'BUS_CASH';
  if (category === 'ordinary') return 'BUS_ORDINARY_CARD';
  return bus.studentRateLineTypes.includes(lineType) ? 'BUS_STUDENT' : 'BUS_STUDENT_LINE_EXCLUDED';
}

function busRateText(rule: FareRule, ratePercent: number, lineType: BusLineType): Explanation {
  const zh = zhRate(ratePercent, false);
  const en = enRate(ratePercent, false);
  switch (rule) {
    case 'BUS_STUDENT':
      return { zh: `学生卡${zh}`, en: `student card at ${en}` };
    case 'BUS_STUDENT_LINE_EXCLUDED':
      return { zh: `学生卡优惠不适用于${LINE_NAMES[lineType].zh}，按普通卡${zh}`, en: `the student rate does not cover ${LINE_NAMES[lineType].en} lines: ordinary card rate ${en}` };
    case 'BUS_ORDINARY_CARD':
      return { zh: `普通卡${zh}`, en: `ordinary card at ${en}` };
    default:
      return { zh: `现金${zh}`, en: `cash at ${en}` };
  }
}

function quoteBus(q: FareQuery, table: FareTable): FareQuote {
  const lineType = q.lineType ?? 'ordinary';
  const distanceM = distanceMetres(q.distanceKm);
  const full = busFullFareFen(distanceM, table.bus);
  const rule = busRule(q.category, lineType, table.bus);
  const ratePercent = table.bus.ratePercent[rule === 'BUS_STUDENT_LINE_EXCLUDED' ? 'ordinary' : q.category];
  const fare = applyRatePercent(full, ratePercent);
  const rate = busRateText(rule, ratePercent, lineType);
  const km = distanceM / 1000;
  return {
    fareFen: fare,
    fullFareFen: full,
    ratePercent,
    rule,
    explanation: {
      zh: `公交 ${km} 公里，全程票价 ${formatYuan(full)}；${rate.zh}，本次 ${formatYuan(fare)}`,
      en: `Bus ${km} km, full fare ${formatYuan(full)}; ${rate.en}: this ride ${formatYuan(fare)}`,
    },
  };
}

function quoteRail(q: FareQuery, table: FareTable): FareQuote {
  const distanceM = distanceMetres(q.distanceKm);
  const full = railFullFareFen(distanceM, table.rail);
  const km = distanceM / 1000;
  const head = { zh: `轨道 ${km} 公里，全程票价 ${formatYuan(full)}`, en: `Rail ${km} km, full fare ${formatYuan(full)}` };
  if (q.category === 'cash') {
    return {
      fareFen: full,
      fullFareFen: full,
      ratePercent: 100,
      rule: 'RAIL_CASH',
      explanation: { zh: `${head.zh}；单程票不参与月度累计优惠`, en: `${head.en}; single-journey tickets earn no monthly discount` },
    };
  }
  const monthly = monthlyDiscount(full, q.monthSpentFen ?? 0, table.rail.monthlyTiers);
  return {
    fareFen: monthly.fareFen,
    fullFareFen: full,
    ratePercent: monthly.ratePercent,
    rule: 'RAIL_CARD',
    explanation: {
      zh: `${head.zh}；${monthly.explanation.zh}，实付 ${formatYuan(monthly.fareFen)}`,
      en: `${head.en}; ${monthly.explanation.en}: you pay ${formatYuan(monthly.fareFen)}`,
    },
  };
}

const MODES: readonly string[] = ['bus', 'rail'];
const CATEGORIES: readonly string[] = ['student', 'ordinary', 'cash'];

/** Callers from untyped input get an error, not a silent rail quote or a NaN fare. */
function assertQueryKinds(q: FareQuery): void {
  const lineTypeOk = q.lineType === undefined || Object.hasOwn(LINE_NAMES, q.lineType);
  if (!MODES.includes(q.mode) || !CATEGORIES.includes(q.category) || !lineTypeOk) {
    throw new DomainError('FARE_QUERY_INVALID', '乘车方式、乘客类别或线路类型无效', 'Unknown mode, rider category or line type', {
      mode: q.mode,
      category: q.category,
      lineType: q.lineType,
    });
  }
}

/** Prices one ride: the fare to charge, the full fare, which rule applied and why, in zh and en. */
export function quoteFare(q: FareQuery): FareQuote {
  assertQueryKinds(q);
  const table = fareTableFor(q.date ?? today());
  return q.mode === 'bus' ? quoteBus(q, table) : quoteRail(q, table);
}
