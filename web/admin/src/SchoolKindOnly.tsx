import { Result } from 'antd';
import type { ReactNode } from 'react';
import { isCampusStage } from '../../../src/domain/campus-payments.js';
import { useMessages, type Messages } from '../../shared/i18n.js';
import type { Me } from '../../shared/session.js';
import { isOperator, useConsoleUser } from './scope.js';

/** Universities and vocational colleges (campus cards), or primary and secondary schools. */
export type SchoolKind = 'university' | 'k12';

/**
 * The console pages that apply to one kind of school only; the one table the menu and the routes
 * read. Campus services and 新生临时卡 are a university's; the yearly extension window is for K-12
 * cards. Operators see every page; a card manager sees the pages of their own school's kind.
 */
const pagesOfOneKind: readonly (readonly [path: string, kind: SchoolKind])[] = [
  ['/campus', 'university'],
  ['/temporary-cards', 'university'],
  ['/card-extension-window', 'k12'],
];

export const schoolKindOf = (stage: string | null | undefined): SchoolKind => (isCampusStage(stage) ? 'university' : 'k12');

/** The kind of school a console path is for, or undefined when it applies to every school. */
export function pageSchoolKind(path: string): SchoolKind | undefined {
  return pagesOfOneKind.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))?.[1];
}

/** Whether the signed-in staff member's console has the page at `path` (menu entries, routes). */
export function pageAppliesTo(me: Pick<Me, 'role' | 'schoolStage'>, path: string): boolean {
  const kind = pageSchoolKind(path);
  return kind === undefined || me.role === 'operator' || schoolKindOf(me.schoolStage) === kind;
}

const zh = {
  universityOnly: '此页面只适用于高校和职业院校，您所在的学校（中小学）不使用',
  k12Only: '此页面只适用于中小学，您所在的高校不使用',
};
const texts: Messages<keyof typeof zh> = {
  'zh-CN': zh,
  en: {
    universityOnly: 'This page is for universities and vocational colleges; your school (K-12) does not use it',
    k12Only: 'This page is for primary and secondary schools; your university does not use it',
  },
};

/**
 * The gate for a page of one kind of school: a card manager of the other kind opened it by its
 * address. The API refuses them too (CONSOLE_UNIVERSITY_ONLY); this says so, and the page is not loaded.
 */
export function SchoolKindOnly({ kind, children }: { kind: SchoolKind; children: ReactNode }) {
  const t = useMessages(texts);
  const me = useConsoleUser();
  if (isOperator(me) || schoolKindOf(me.schoolStage) === kind) return children;
  return <Result status="403" title={kind === 'university' ? t.universityOnly : t.k12Only} data-testid="school-kind-only" />;
}
