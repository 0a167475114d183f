import { Card, Table, Typography, type TableColumnsType } from 'antd';
import { fieldLabels, rosterColumns, rosterFields, type RosterField } from '../../../../src/modules/roster/row-problems.js';
import { useMessages } from '../../../shared/i18n.js';
import { rosterMessages, type RosterKey } from './messages.js';

const examples: Record<RosterField, string> = {
  educationId: '31000001',
  name: '王小明',
  gender: '男',
  birthDate: '2013-03-05',
  idNumber: '110108201303050033',
  grade: '初一 / 7',
  class: '1班 / 01',
  studentNo: '2023110501',
  salaried: '否',
  college: '音乐学院',
  major: '音乐表演',
  studyLevel: '本科 / 专科 / 研究生',
  fullTime: '全日制 / 非全日制',
};

/** Which schools' rosters need the column: K-12 ones, campus ones (universities, vocational colleges) or all. */
function usedBy(field: RosterField): 'allSchools' | 'requiredK12' | 'requiredCampus' | 'optionalCampus' {
  const k12 = rosterColumns.k12.required.includes(field);
  const campus = rosterColumns.campus.required.includes(field);
  if (k12 && campus) return 'allSchools';
  if (k12) return 'requiredK12';
  return campus ? 'requiredCampus' : 'optionalCampus';
}

/** The column names the server accepts (Chinese or English header), what goes in them, an example. */
export function RosterHelp() {
  const t = useMessages(rosterMessages);
  const columns: TableColumnsType<{ field: RosterField }> = [
    {
      title: t.column,
      key: 'names',
      width: 190,
      render: (_, { field }) => (
        <Typography.Text>
          <Typography.Text code>{fieldLabels[field].zh}</Typography.Text> / <Typography.Text code>{field}</Typography.Text>
        </Typography.Text>
      ),
    },
    {
      title: t.meaning,
      key: 'meaning',
      render: (_, { field }) => (
        <>
          {t[`col_${field}` as RosterKey]}
          <br />
          <Typography.Text type="secondary">{t.example}：{examples[field]}</Typography.Text>
        </>
      ),
    },
    { title: t.requiredIn, key: 'usedBy', width: 150, render: (_, { field }) => t[usedBy(field)] },
  ];
  return (
    <Card title={t.howTitle} size="small" data-testid="roster-help">
      <Typography.Paragraph>{t.howIntro}</Typography.Paragraph>
      <Table size="small" rowKey="field" pagination={false} columns={columns} dataSource={rosterFields.map((field) => ({ field }))} />
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>{t.howNotes}</Typography.Paragraph>
    </Card>
  );
}
