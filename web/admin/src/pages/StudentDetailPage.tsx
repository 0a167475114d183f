import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Col, Flex, Result, Row, Skeleton, Space, Typography } from 'antd';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../../shared/api.js';
import { useMessages } from '../../../shared/i18n.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { CampusAccountCard } from '../students/CampusAccountCard.js';
import { HistoryTimeline } from '../students/HistoryTimeline.js';
import { studentMessages } from '../students/messages.js';
import { MoveStudentForm } from '../students/MoveStudentForm.js';
import { ParentsCard } from '../students/ParentsCard.js';
import { PhotoCard } from '../students/PhotoCard.js';
import { StudentSummary } from '../students/StudentSummary.js';
import { useStudent } from '../students/useStudent.js';
import { isCampusStage } from '../../../../src/domain/campus-payments.js';
import { EducationId } from '../EducationId.js';

/** One student: the masked record, photo, parents, promotion / transfer, and the audit history. */
export function StudentDetailPage() {
  const { studentId = '' } = useParams();
  const t = useMessages(messages);
  const s = useMessages(studentMessages);
  const me = useConsoleUser();
  const navigate = useNavigate();
  const detail = useStudent(studentId);
  const back = <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>{t.back}</Button>;

  if (detail.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (detail.isError) {
    const missing = detail.error instanceof ApiError && [400, 403, 404].includes(detail.error.status);
    return missing ? <Result status="404" title={s.notFound} extra={back} /> : <LoadError error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  const student = detail.data;
  return (
    <div data-testid="student-detail">
      <Flex className="page-header" align="center" gap={12}>
        {back}
        <Typography.Title level={4} style={{ margin: 0 }}>
          {s.detailTitle} · {student.name} <EducationId id={student.educationId} />
        </Typography.Title>
      </Flex>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <StudentSummary student={student} />
            <MoveStudentForm student={student} operator={isOperator(me)} />
            <HistoryTimeline student={student} />
          </Space>
        </Col>
        <Col xs={24} xl={8}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <PhotoCard studentId={student.id} hasPhoto={student.hasPhoto} />
            <ParentsCard studentId={student.id} parents={student.parents} />
            {isCampusStage(student.stage) && <CampusAccountCard studentId={student.id} />}
          </Space>
        </Col>
      </Row>
    </div>
  );
}
