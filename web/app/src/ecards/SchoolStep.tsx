import { Button, ErrorBlock, List, SearchBar, Skeleton } from 'antd-mobile';
import { useState } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { ecardMessages } from './messages.js';
import { useK12Schools, type SchoolOption } from './queries.js';

/**
 * 选择学校: search the K-12 schools and pick one (opening a K-12 e-card, and 小升初 / 初升高,
 * where `stage` keeps to the schools of the new stage).
 */
export function SchoolStep({ onChosen, onBack, stage }: { onChosen(school: SchoolOption): void; onBack(): void; stage?: string | null }) {
  const t = useMessages(ecardMessages);
  const [q, setQ] = useState('');
  const schools = useK12Schools(q.trim());
  const shown = (schools.data ?? []).filter((s) => !stage || s.stage === stage);
  return (
    <>
      <SearchBar placeholder={t.schoolSearch} value={q} onChange={setQ} data-testid="school-search" />
      {schools.isPending ? (
        <Skeleton.Paragraph lineCount={4} animated />
      ) : schools.isError ? (
        <LoadFailed error={schools.error} onRetry={() => void schools.refetch()} />
      ) : shown.length === 0 ? (
        <ErrorBlock status="empty" title={t.noSchools} data-testid="school-empty" />
      ) : (
        <List className="section" data-testid="school-list">
          {shown.map((s) => (
            <List.Item key={s.id} arrow onClick={() => onChosen(s)} description={`${t[`stage_${s.stage as 'primary'}`] ?? s.stage}${s.district ? ` · ${s.district}` : ''}`} data-testid="school-option">
              {s.name}
            </List.Item>
          ))}
        </List>
      )}
      <Button block onClick={onBack}>{t.back}</Button>
    </>
  );
}
