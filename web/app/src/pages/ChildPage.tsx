import { useMutation } from '@tanstack/react-query';
import { Button, Dialog, ErrorBlock, List, Skeleton, Toast } from 'antd-mobile';
import { useNavigate, useParams } from 'react-router';
import type { Child } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { AutoTopUpSection } from '../account/AutoTopUpSection.js';
import { BalanceAlertSection } from '../account/BalanceAlertSection.js';
import { ConsentSection } from '../account/ConsentSection.js';
import { DailyLimitSection } from '../account/DailyLimitSection.js';
import { SpendNoticeSection } from '../account/SpendNoticeSection.js';
import { accountMessages } from '../account/messages.js';
import { billMessages } from '../campus/bill-messages.js';
import { campusPaths, isCampusStage } from '../campus/paths.js';
import { useChildren, useInvalidate } from '../account/queries.js';
import { messages } from '../messages.js';
import { classLabel, relationLabel, stageLabel } from '../ui/labels.js';
import { StudentPhoto } from '../ui/StudentPhoto.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { LoadFailed } from './LoadFailed.js';

function ChildDetails({ child }: { child: Child }) {
  const t = useMessages(accountMessages);
  const common = useMessages(messages);
  const api = useApi();
  const navigate = useNavigate();
  const describe = useErrorText();
  const invalidate = useInvalidate();
  // Only the canteen is limited: the daily limit is for students of a university or vocational college.
  const atCampus = isCampusStage(child.stage);
  const bills = useMessages(billMessages);

  const unbind = useMutation({
    mutationFn: () => api.delete(`/me/children/${child.studentId}`),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t.unbound });
      navigate('/me', { replace: true });
      await invalidate('children');
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });

  const confirmUnbind = async () => {
    if (await Dialog.confirm({ content: fill(t.unbindChildConfirm, { name: child.name }) })) unbind.mutate();
  };

  return (
    <>
      <div className="child-header">
        <StudentPhoto studentId={child.studentId} width={72} />
        <div>
          <div className="profile-name" data-testid="child-name">{child.name}</div>
          <div className="muted">{child.schoolName}</div>
        </div>
      </div>
      <List className="section">
        <List.Item extra={child.educationId}>{common.educationId}</List.Item>
        <List.Item extra={stageLabel(t, child.stage)}>{t.stage}</List.Item>
        {child.grade !== null && <List.Item extra={classLabel(t, child.grade, child.classNo)}>{t.classLabel}</List.Item>}
        {child.relation && <List.Item extra={relationLabel(t, child.relation)}>{t.relation}</List.Item>}
      </List>
      <BalanceAlertSection studentId={child.studentId} />
      <AutoTopUpSection studentId={child.studentId} />
      <SpendNoticeSection studentId={child.studentId} />
      {atCampus && <DailyLimitSection studentId={child.studentId} />}
      {atCampus && (
        <List className="section">
          <List.Item clickable onClick={() => navigate(`${campusPaths.bills}?studentId=${child.studentId}`)} data-testid="child-bills">{bills.billsEntry}</List.Item>
        </List>
      )}
      <ConsentSection studentId={child.studentId} />
      <Button block color="danger" fill="outline" style={{ marginTop: 24 }} loading={unbind.isPending} onClick={() => void confirmUnbind()} data-testid="unbind-child">
        {t.unbind}
      </Button>
    </>
  );
}

/** One of a parent's children: details (masked), the low-balance alert, auto top-up, spending notices, the canteen's daily limit, guardian consent, unbinding. */
export function ChildPage() {
  const t = useMessages(accountMessages);
  const { studentId } = useParams();
  const children = useChildren();
  const child = children.data?.find((c) => c.studentId === studentId);

  return (
    <SubPage title={t.childTitle} backTo="/me">
      {children.isPending ? (
        <Skeleton.Paragraph lineCount={5} animated />
      ) : children.isError ? (
        <LoadFailed error={children.error} onRetry={() => void children.refetch()} />
      ) : child ? (
        <ChildDetails child={child} />
      ) : (
        <ErrorBlock status="empty" title={t.childNotFound} description={null} />
      )}
    </SubPage>
  );
}
