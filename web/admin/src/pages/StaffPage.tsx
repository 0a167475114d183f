import { PlusOutlined } from '@ant-design/icons';
import { Button, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { labelOf, messages } from '../messages.js';
import { ServerTable } from '../ServerTable.js';
import { CreateStaffModal } from '../staff/CreateStaffModal.js';
import { staffMessages } from '../staff/messages.js';
import type { StaffRow } from '../types.js';

const roleColors: Record<string, string> = { operator: 'geekblue', school_admin: 'green', kiosk: 'purple' };

/** Operators, card managers and kiosk accounts (operators only), and creating one. */
export function StaffPage() {
  const t = useMessages(staffMessages);
  const common = useMessages(messages);
  const [creating, setCreating] = useState(false);

  const columns: TableColumnsType<StaffRow> = [
    { title: t.username, dataIndex: 'username', render: (u: string) => <Typography.Text code>{u}</Typography.Text> },
    { title: t.displayName, dataIndex: 'displayName' },
    { title: t.role, dataIndex: 'role', width: 140, render: (role: string) => <Tag color={roleColors[role]}>{labelOf(common, 'role', role)}</Tag> },
    { title: t.school, dataIndex: 'schoolName', render: (name: string | null) => name ?? '—' },
    { title: t.state, dataIndex: 'disabled', width: 90, render: (disabled: boolean) => (disabled ? <Tag>{t.disabled}</Tag> : <Tag color="success">{t.active}</Tag>) },
  ];
  return (
    <>
      <ServerTable<StaffRow>
        testId="staff-table"
        title={common.staff}
        path="/admin/staff"
        emptyText={t.noStaff}
        columns={columns}
        toolbar={<Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-staff">{t.newStaff}</Button>}
      />
      <CreateStaffModal open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
