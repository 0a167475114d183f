import { Button, ErrorBlock, List, Skeleton, Tag } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { ecardPaths } from '../ecards/paths.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { moneyPaths } from '../payments/paths.js';
import { SubPage } from '../ui/SubPage.js';
import { isOpenApplication, useApplications, type ApplicationDto } from './fulfilment.js';
import { isVoid, productLabel, statusText } from './labels.js';
import { cardMessages } from './messages.js';
import { cardPaths } from './paths.js';
import { useCards, type Card } from './queries.js';
import './cards.css';

const k12Products: readonly Card['product'][] = ['k12_card', 'k12_sticker', 'k12_ecard'];

/**
 * 中小学生服务 (seed 000 §一): the one entry to every K-12 card service, child by child (a parent
 * sees each bound child): each card with the services it has, the applications in progress, the
 * NFC e-card services and the public card status query. Every service screen checks again with
 * the server; this page only leads there.
 */
export function K12ServicesPage() {
  const t = useMessages(cardMessages);
  const navigate = useNavigate();
  const cards = useCards();
  const k12 = (cards.data ?? []).filter((c) => k12Products.includes(c.product) && !isVoid(c));
  const students = [...new Map(k12.map((c) => [c.studentId, c])).values()];

  let body;
  if (cards.isPending) body = <Skeleton.Paragraph lineCount={8} animated />;
  else if (cards.isError) body = <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />;
  else if (students.length === 0) body = <ErrorBlock status="empty" title={t.noK12Cards} description={t.noK12CardsHint} data-testid="k12-services-empty" />;
  else {
    body = students.map((first) => (
      <StudentServices key={first.studentId} studentId={first.studentId} title={`${first.holderNameMasked} · ${first.school.name}`} cards={k12.filter((c) => c.studentId === first.studentId)} />
    ));
  }
  return (
    <SubPage title={t.k12Services} backTo="/">
      <p className="muted" style={{ fontSize: 13 }}>{t.k12ServicesIntro}</p>
      <div data-testid="k12-services">{body}</div>
      <List header={t.moreServices} mode="card">
        <List.Item clickable onClick={() => navigate(ecardPaths.home)} data-testid="k12-services-ecards">{t.ecardServices}</List.Item>
        <List.Item clickable onClick={() => navigate(cardPaths.statusQuery)} data-testid="k12-services-status-query">{t.statusQuery}</List.Item>
      </List>
    </SubPage>
  );
}

function StudentServices({ studentId, title, cards }: { studentId: string; title: string; cards: Card[] }) {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const applications = useApplications(studentId);
  const open = (applications.data ?? []).filter(isOpenApplication);
  return (
    <div className="section" data-testid="k12-services-student" data-student-id={studentId}>
      <List header={title} mode="card">
        {cards.map((card) => (
          <List.Item key={card.id} description={<CardServices card={card} openApplication={open.find((a) => a.oldCardId === card.id)} />} data-testid="k12-services-card" data-card-id={card.id}>
            {productLabel(t, card)} {card.cardNoMasked}{' '}
            <Tag fill="outline" color={card.status === 'active' ? 'success' : card.status === 'inactive' ? 'warning' : 'default'}>{statusText(t, card)}</Tag>
          </List.Item>
        ))}
        {applications.isError && (
          <List.Item>
            <LoadFailed error={applications.error} onRetry={() => void applications.refetch()} />
          </List.Item>
        )}
        {open.map((a) => (
          <List.Item
            key={a.id}
            clickable
            onClick={() => navigate(cardPaths.application(a.id))}
            extra={<Tag color="primary">{lang === 'en' ? a.statusLabel.en : a.statusLabel.zh}</Tag>}
            data-testid="k12-services-application"
          >
            {t.applicationsOpen} · {a.kind === 'sticker' ? t.stickerProgress : t.progress}
          </List.Item>
        ))}
      </List>
    </div>
  );
}

/**
 * The services of one card, in the seed's order; only those its kind has. Top-up as the server
 * allows it (`canTopUp`: a lost or expired card, or a sticker, takes none); extension only for a
 * card in use (a lost card cannot be extended: domain rules, Cards). A card whose replacement is
 * under way (`openApplication`) offers its progress instead of a second application, which the
 * server would refuse only after the identity had been typed again.
 */
function CardServices({ card, openApplication }: { card: Card; openApplication: ApplicationDto | undefined }) {
  const t = useMessages(cardMessages);
  const navigate = useNavigate();
  const services: { key: string; label: string; to: string }[] = [];
  const progress = openApplication && { label: openApplication.kind === 'sticker' ? t.stickerProgress : t.progress, to: cardPaths.application(openApplication.id) };
  if (card.status === 'inactive') services.push({ key: 'activate', label: t.activate, to: cardPaths.card(card.id) });
  if (card.product === 'k12_card') services.push(progress ? { key: 'replace-progress', ...progress } : { key: 'replace', label: t.replace, to: cardPaths.replace(card.id) });
  if (card.canTopUp) services.push({ key: 'top-up', label: t.topUp, to: moneyPaths.cardTopUp(card.id) });
  if (card.product === 'k12_card' && card.canExtend) services.push({ key: 'extend', label: t.extend, to: cardPaths.extend(card.id) });
  if (card.product === 'k12_sticker') services.push(progress ? { key: 'sticker-progress', ...progress } : { key: 'sticker', label: t.sticker, to: cardPaths.sticker(card.id) });
  if (card.product === 'k12_ecard') services.push({ key: 'ecard', label: t.ecardServices, to: ecardPaths.home });
  services.push({ key: 'transactions', label: t.transactions, to: moneyPaths.cardTransactions(card.id) });
  services.push({ key: 'info', label: t.cardInfo, to: cardPaths.card(card.id) });
  return (
    <div className="k12-service-grid">
      {services.map((s) => (
        <Button key={s.key} size="small" fill="outline" onClick={() => navigate(s.to)} data-testid={`k12-service-${s.key}`}>
          {s.label}
        </Button>
      ))}
    </div>
  );
}
