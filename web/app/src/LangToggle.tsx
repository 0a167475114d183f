import { Button } from 'antd-mobile';
import { useLang } from '../../shared/i18n.js';

/** Shows the other language in its own words, so either reader can find it. */
export function LangToggle() {
  const { lang, setLang } = useLang();
  return (
    <Button size="small" fill="none" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>
      {lang === 'en' ? '中文' : 'English'}
    </Button>
  );
}
