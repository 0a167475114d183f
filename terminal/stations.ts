/**
 * A small rail network for the simulators: two lines crossing at 西单 (Xidan). Positions are
 * kilometres along each line, rounded and illustrative (close to Beijing lines 1 and 4, but not
 * an official fare-distance table). Distances go along a line, or through an interchange.
 */

export interface Station {
  id: string;
  name: string;
  /** Line → km from the line's first station. */
  lines: Readonly<Record<string, number>>;
}

export const STATIONS: readonly Station[] = [
  { id: 'pingguoyuan', name: '苹果园', lines: { L1: 0 } },
  { id: 'gongzhufen', name: '公主坟', lines: { L1: 9.1 } },
  { id: 'junshibowuguan', name: '军事博物馆', lines: { L1: 10.3 } },
  { id: 'xidan', name: '西单', lines: { L1: 16.4, L4: 20.0 } },
  { id: 'wangfujing', name: '王府井', lines: { L1: 19.2 } },
  { id: 'jianguomen', name: '建国门', lines: { L1: 21.1 } },
  { id: 'guomao', name: '国贸', lines: { L1: 23.7 } },
  { id: 'sihuidong', name: '四惠东', lines: { L1: 28.2 } },
  { id: 'beigongmen', name: '北宫门', lines: { L4: 0 } },
  { id: 'beidadongmen', name: '北京大学东门', lines: { L4: 7.6 } },
  { id: 'zhongguancun', name: '中关村', lines: { L4: 8.5 } },
  { id: 'renmindaxue', name: '人民大学', lines: { L4: 10.6 } },
  { id: 'xizhimen', name: '西直门', lines: { L4: 15.6 } },
  { id: 'xuanwumen', name: '宣武门', lines: { L4: 20.9 } },
  { id: 'beijingnan', name: '北京南站', lines: { L4: 24.5 } },
];

const byId = new Map(STATIONS.map((s) => [s.id, s]));

export function stationById(id: string): Station | undefined {
  return byId.get(id);
}

function alongShared(a: Station, b: Station): number | null {
  let best: number | null = null;
  for (const [line, km] of Object.entries(a.lines)) {
    const other = b.lines[line];
    if (other !== undefined) best = Math.min(best ?? Infinity, Math.abs(km - other));
  }
  return best;
}

/** Shortest distance in km between two stations (0 for the same station); throws for unknown ids. */
export function stationDistanceKm(fromId: string, toId: string): number {
  const a = byId.get(fromId);
  const b = byId.get(toId);
  if (!a || !b) throw new Error(`unknown station ${!a ? fromId : toId}`);
  const direct = alongShared(a, b);
  let best = direct ?? Infinity;
  for (const x of STATIONS) {
    if (Object.keys(x.lines).length < 2) continue;
    const ax = alongShared(a, x);
    const xb = alongShared(x, b);
    if (ax !== null && xb !== null) best = Math.min(best, ax + xb);
  }
  if (!Number.isFinite(best)) throw new Error(`no route from ${fromId} to ${toId}`);
  return Math.round(best * 1000) / 1000;
}
