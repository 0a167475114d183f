import { ErrorBlock, List, Skeleton } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useEffect, useState } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { useMe } from '../../../shared/session.js';
import { useParentChildren } from '../cards/queries.js';
import { accountMessages } from '../account/messages.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { holderTag } from '../ui/labels.js';
import { ecardMessages } from './messages.js';

export interface Holder {
  studentId: string;
  /** Masked, as the server gives it. */
  label: string;
  /** The holder's own school, to preselect it where a school is asked for (a child's only by name). */
  schoolId: string | null;
  schoolName: string | null;
}

/**
 * Who the e-card is for: a student is themself; a parent picks one of the bound children.
 * Renders the choice (or its loading / empty / error state) and reports the current holder.
 * `locked`: past the wizard's first step the child is shown, no longer changed (the steps after
 * it were filled in for that child).
 */
export function useHolder(locked = false): { holder: Holder | null; isParent: boolean; view: React.ReactNode } {
  const t = useMessages(ecardMessages);
  const a = useMessages(accountMessages);
  const me = useMe();
  const isParent = me.data?.role === 'parent';
  // Only a parent has children to choose among: a student's own page never asks for them (GET /me/children is a parent's).
  const children = useParentChildren(isParent);
  const [chosen, setChosen] = useState<string | null>(null);
  const kids = isParent ? (children.data ?? []) : [];
  useEffect(() => {
    if (isParent && chosen === null && kids.length > 0) setChosen(kids[0]!.studentId);
  }, [isParent, chosen, kids]);

  if (me.isPending || (isParent && children.isPending)) return { holder: null, isParent, view: <Skeleton.Paragraph lineCount={2} animated /> };
  if (me.isError) return { holder: null, isParent, view: <LoadFailed error={me.error} onRetry={() => void me.refetch()} /> };
  if (!isParent) return { holder: { studentId: me.data.id, label: me.data.displayName, schoolId: me.data.schoolId, schoolName: me.data.schoolName }, isParent, view: null };
  if (children.isError) return { holder: null, isParent, view: <LoadFailed error={children.error} onRetry={() => void children.refetch()} /> };
  if (kids.length === 0) return { holder: null, isParent, view: <ErrorBlock status="empty" title={t.noChildren} data-testid="ecard-no-children" /> };
  const child = kids.find((k) => k.studentId === chosen) ?? kids[0]!;
  return {
    holder: { studentId: child.studentId, label: child.name, schoolId: null, schoolName: child.schoolName },
    isParent,
    view: kids.length > 1 && (
      <List header={t.forStudent} className="section">
        {locked ? (
          <List.Item description={holderTag(a, { schoolName: child.schoolName, grade: child.grade, classNo: child.classNo })} data-testid="ecard-holder-chosen">
            {child.name}
          </List.Item>
        ) : (
          <List.Item>
            <SingleSelector columns={1} value={[child.studentId]} options={kids.map((k) => ({ value: k.studentId, label: k.name, description: holderTag(a, { schoolName: k.schoolName, grade: k.grade, classNo: k.classNo }) }))} onChange={([id]) => id && setChosen(id)} data-testid="ecard-holder" />
          </List.Item>
        )}
      </List>
    ),
  };
}
