import { DotLoading, ErrorBlock, List, Popup, SearchBar } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { stageLabel } from '../ui/labels.js';
import { accountMessages } from './messages.js';
import { useSchools, type PublicSchool } from './queries.js';

/** The search text, settled for `ms` before it is used. */
function useDebounced(value: string, ms = 300): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function SchoolList({ q, onPick }: { q: string; onPick(school: PublicSchool): void }) {
  const t = useMessages(accountMessages);
  const schools = useSchools(q);
  if (schools.isPending) return <div className="center-block"><DotLoading color="primary" /></div>;
  if (schools.isError) return <LoadFailed error={schools.error} onRetry={() => void schools.refetch()} />;
  if (schools.data.length === 0) return <ErrorBlock status="empty" title={t.noSchools} description={null} />;
  return (
    <List data-testid="school-options">
      {schools.data.map((school) => (
        <List.Item key={school.id} description={[stageLabel(t, school.stage), school.district].filter(Boolean).join(' · ')} onClick={() => onPick(school)} arrowIcon={false}>
          <span>{school.name}</span>
        </List.Item>
      ))}
    </List>
  );
}

/** A form control: shows the chosen school; tapping opens a searchable list from the server. */
export function SchoolPicker({ value, onChange }: { value?: PublicSchool | null; onChange?(school: PublicSchool): void }) {
  const t = useMessages(accountMessages);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());

  return (
    <>
      <div className={value ? 'picker-value' : 'picker-value empty'} role="button" tabIndex={0} data-testid="school-picker" onClick={() => setOpen(true)}>
        {value?.name ?? t.chooseSchool}
      </div>
      <Popup visible={open} onMaskClick={() => setOpen(false)} onClose={() => setOpen(false)} bodyStyle={{ height: '70vh', display: 'flex', flexDirection: 'column' }}>
        <div style={{ padding: 12 }}>
          <SearchBar placeholder={t.searchSchool} value={text} onChange={setText} />
        </div>
        <div style={{ flex: 1, overflowY: 'auto' }}>
          {open && (
            <SchoolList
              q={q}
              onPick={(school) => {
                onChange?.(school);
                setOpen(false);
              }}
            />
          )}
        </div>
      </Popup>
    </>
  );
}
