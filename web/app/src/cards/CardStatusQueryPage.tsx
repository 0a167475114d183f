import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { Button, Form, Input, List } from 'antd-mobile';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { useSession } from '../../../shared/session.js';
import { LangToggle } from '../LangToggle.js';
import { SubPage } from '../ui/SubPage.js';
import { useErrorText } from '../ui/text.js';
import { cardMessages } from './messages.js';
import { cardPaths } from './paths.js';
import { useCardStatusQuery } from './queries.js';
import './cards.css';

/** The three numbers the server knows (Beijing-tong 11, Yikatong 16, interoperable 19); the check digit is the server's to judge. */
const cardNoPattern = /^(\d{11}|\d{16}|\d{19})$/;

/**
 * 学生卡查询 (seed 001): anyone, signed in or not, types a card number and learns whether the card
 * is in normal status ("卡正常状态", then it can be extended) or why not (an expired one: extend
 * it), and its 公交有效性 as the card's page shows it. Nothing personal is shown.
 */
export function CardStatusQueryPage() {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const describe = useErrorText();
  const { token } = useSession();
  const query = useCardStatusQuery();

  const result = query.data;
  const ok = result?.status === 'active' && result.transitValid;
  return (
    <SubPage title={t.statusQuery} backTo={token ? cardPaths.cards : '/login'} right={<LangToggle />}>
      <div className="form-card">
        <Form
          layout="vertical"
          onFinish={(values: { cardNo: string }) => query.mutate(values.cardNo.trim())}
          footer={
            <Button block type="submit" color="primary" size="large" loading={query.isPending} data-testid="status-query-submit">
              {t.query}
            </Button>
          }
        >
          <Form.Header>{t.statusQueryHint}</Form.Header>
          <Form.Item name="cardNo" label={t.cardNo} rules={[{ required: true, message: t.cardNoPlaceholder }, { pattern: cardNoPattern, message: t.cardNoInvalid }]}>
            <Input inputMode="numeric" maxLength={19} placeholder={t.cardNoPlaceholder} clearable data-testid="status-query-input" />
          </Form.Item>
        </Form>
      </div>
      {query.isError && (
        <div className="form-error" role="alert" data-testid="status-query-error">
          {describe(query.error)}
        </div>
      )}
      {result && !query.isPending && (
        <div className="section">
          <List header={t.queryResult} mode="card">
            <List.Item>
              <div className={`status-result ${ok ? 'ok' : 'not-ok'}`} data-testid="status-query-result" data-status={result.status}>
                {ok ? <CheckCircleFilled style={{ fontSize: 40, color: '#52c41a' }} /> : <CloseCircleFilled style={{ fontSize: 40, color: '#ff4d4f' }} />}
                <div className="message" data-testid="status-query-message">
                  {lang === 'en' ? result.messageEn : result.message}
                </div>
              </div>
            </List.Item>
            <List.Item extra={result.cardNo}>{t.cardNo}</List.Item>
            {/* 公交有效性 as the card's own page says it (by its dates; a lost card waiting for its replacement is still 有效卡); a campus card has none. */}
            {result.transitValidity && (
              <List.Item extra={<span data-testid="status-query-transit">{result.transitValidity === 'valid' ? t.transitValid : t.transitInvalid}</span>}>{t.transitValidity}</List.Item>
            )}
            <List.Item extra={result.validUntil ?? t.noValidUntil}>{t.validUntil}</List.Item>
          </List>
        </div>
      )}
    </SubPage>
  );
}
