import { Typography } from 'antd';

/**
 * The console's one rule for education IDs: shown whole, in the same monospace everywhere (lists,
 * a student's page, orders, cards). It is the handle staff find a student by (searches take the
 * full ID, and a student's name is masked in lists, so the ID is what tells two 张** apart) and
 * it is shown only to staff the server let see that student. ID numbers, phones and names stay masked.
 */
export function EducationId({ id, copyable = false }: { id: string | null | undefined; copyable?: boolean }) {
  if (!id) return <Typography.Text type="secondary">—</Typography.Text>;
  return <Typography.Text code copyable={copyable} data-testid="education-id">{id}</Typography.Text>;
}
