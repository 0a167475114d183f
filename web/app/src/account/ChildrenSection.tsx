import { Button, ErrorBlock, List, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { classLabel, relationLabel } from '../ui/labels.js';
import { StudentPhoto } from '../ui/StudentPhoto.js';
import { accountMessages } from './messages.js';
import { useChildren } from './queries.js';

/** 我的孩子 on a parent's 我的 page: each child (masked) opens its detail; a button adds one. */
export function ChildrenSection() {
  const t = useMessages(accountMessages);
  const navigate = useNavigate();
  const children = useChildren();
  const addButton = (
    <Button size="small" color="primary" fill="outline" onClick={() => navigate('/children/bind')} data-testid="bind-child">
      {t.bindChild}
    </Button>
  );

  return (
    <List
      className="section"
      data-testid="children-list"
      header={
        <div className="section-header">
          <span>{t.myChildren}</span>
          {children.isSuccess && children.data.length > 0 && addButton}
        </div>
      }
    >
      {children.isPending ? (
        <List.Item><Skeleton.Paragraph lineCount={2} animated /></List.Item>
      ) : children.isError ? (
        <LoadFailed error={children.error} onRetry={() => void children.refetch()} />
      ) : children.data.length === 0 ? (
        <ErrorBlock status="empty" title={t.noChildren} description={t.noChildrenHint} className="compact-empty">
          {addButton}
        </ErrorBlock>
      ) : (
        children.data.map((child) => (
          <List.Item
            key={child.studentId}
            data-testid="child-item"
            prefix={<StudentPhoto studentId={child.studentId} width={40} />}
            description={[child.schoolName, classLabel(t, child.grade, child.classNo)].filter(Boolean).join(' · ')}
            extra={relationLabel(t, child.relation)}
            onClick={() => navigate(`/children/${child.studentId}`)}
          >
            <span data-testid="child-name">{child.name}</span>
          </List.Item>
        ))
      )}
    </List>
  );
}
