import { useMe, type Me } from '../../shared/session.js';

/** The signed-in staff member; AdminLayout renders pages only once it is loaded. */
export function useConsoleUser(): Me {
  const me = useMe();
  if (!me.data) throw new Error('useConsoleUser outside AdminLayout');
  return me.data;
}

export const isOperator = (me: Me) => me.role === 'operator';

/**
 * The school a page works on: a card manager's own (never chosen), else the operator's choice
 * (undefined until chosen).
 */
export function scopedSchoolId(me: Me, chosen: string | undefined): string | undefined {
  return isOperator(me) ? chosen : (me.schoolId ?? undefined);
}
