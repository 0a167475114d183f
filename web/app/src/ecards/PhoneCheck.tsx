import { Button, Collapse, Input, List, Result, Skeleton, Switch, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { useErrorText } from '../ui/text.js';
import { ecardMessages } from './messages.js';
import { useCheckPhone, usePhoneSupport, type Eligibility, type Phone } from './queries.js';
import './ecards.css';

type Brand = Phone['brand'];
type Os = Phone['os'];

const brands: Brand[] = ['huawei', 'honor', 'xiaomi', 'apple'];
const osOf: Record<Brand, Os[]> = { huawei: ['harmonyos', 'android'], honor: ['harmonyos', 'android'], xiaomi: ['android'], apple: ['ios'] };
/** This app is the Yikatong app the seed names; it knows its own version. */
export const appVersion = '6.0.0.1';

/** What the phone says about itself, typed by the user (a web app cannot read it), with sensible defaults. */
function emptyPhone(): Phone {
  return { brand: 'huawei', model: '', os: 'harmonyos', osVersion: '', nfcEnabled: true, walletVersion: '', xiaomiChannel: null, appVersion };
}

/** 机型检测: the phone form, the check, and every reason a phone fails (seed 003 rules). */
/** An example version of each system, as its settings page shows it (iOS ≥ 13.4 for e-cards; the others as examples only). */
const osVersionExample: Record<Phone['os'], string> = { ios: '13.4', android: '12', harmonyos: '4.2.0' };

export function PhoneCheck({ actionLabel, busy, onPassed }: { actionLabel: string; busy?: boolean; onPassed(phone: Phone): void }) {
  const t = useMessages(ecardMessages);
  const { lang } = useLang();
  const describe = useErrorText();
  const support = usePhoneSupport();
  const check = useCheckPhone();
  const [phone, setPhone] = useState<Phone>(emptyPhone);
  const [result, setResult] = useState<{ phone: Phone; eligibility: Eligibility } | null>(null);
  const set = (patch: Partial<Phone>) => {
    setPhone((p) => ({ ...p, ...patch }));
    setResult(null);
  };
  const xiaomiDev = phone.brand === 'xiaomi' && phone.xiaomiChannel === 'dev';
  const walletLabel = phone.brand === 'xiaomi' ? t.walletVersion_xiaomi : t.walletVersion_huawei;
  const needsWallet = phone.brand !== 'apple' && !xiaomiDev;

  const run = () => {
    const body: Phone = { ...phone, walletVersion: needsWallet ? phone.walletVersion : null, xiaomiChannel: phone.brand === 'xiaomi' ? phone.xiaomiChannel : null };
    check.mutate(body, { onSuccess: (eligibility) => setResult({ phone: body, eligibility }), onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }) });
  };

  return (
    <>
      <List header={t.phoneTitle} className="section">
        <List.Item title={t.brand}>
          <SingleSelector columns={4} value={[phone.brand]} options={brands.map((b) => ({ value: b, label: t[`brand_${b}`] }))} onChange={([b]) => b && set({ brand: b, os: osOf[b][0]!, xiaomiChannel: b === 'xiaomi' ? 'stable' : null })} data-testid="phone-brand" />
        </List.Item>
        <List.Item prefix={t.model} description={t.modelHint}>
          <Input placeholder={t.modelPlaceholder} value={phone.model} onChange={(model) => set({ model })} clearable data-testid="phone-model" />
        </List.Item>
        {osOf[phone.brand].length > 1 && (
          <List.Item title={t.os}>
            <SingleSelector columns={2} value={[phone.os]} options={osOf[phone.brand].map((os) => ({ value: os, label: t[`os_${os}`] }))} onChange={([os]) => os && set({ os })} data-testid="phone-os" />
          </List.Item>
        )}
        {phone.brand === 'xiaomi' && (
          <List.Item title={t.xiaomiChannel}>
            <SingleSelector columns={2} value={phone.xiaomiChannel ? [phone.xiaomiChannel] : []} options={(['stable', 'dev'] as const).map((c) => ({ value: c, label: t[`channel_${c}`] }))} onChange={([c]) => set({ xiaomiChannel: c ?? null })} data-testid="phone-channel" />
          </List.Item>
        )}
        <List.Item prefix={xiaomiDev ? t.devSystemVersion : t.osVersion}>
          <Input placeholder={xiaomiDev ? '21.7.27' : osVersionExample[phone.os]} value={phone.osVersion} onChange={(osVersion) => set({ osVersion })} clearable data-testid="phone-os-version" />
        </List.Item>
        {needsWallet && (
          <List.Item prefix={walletLabel}>
            <Input placeholder={phone.brand === 'xiaomi' ? '21.08.09.1' : '9.0.13.304'} value={phone.walletVersion ?? ''} onChange={(walletVersion) => set({ walletVersion })} clearable data-testid="phone-wallet-version" />
          </List.Item>
        )}
        <List.Item prefix={t.appVersion}>
          <Input value={phone.appVersion} onChange={(v) => set({ appVersion: v })} data-testid="phone-app-version" />
        </List.Item>
        <List.Item extra={<Switch checked={phone.nfcEnabled} onChange={(nfcEnabled) => set({ nfcEnabled })} data-testid="phone-nfc" />}>{t.nfcEnabled}</List.Item>
      </List>

      {result && (
        <div className="ecard-check" data-testid="phone-result" data-eligible={String(result.eligibility.eligible)}>
          {result.eligibility.eligible ? (
            <Result status="success" title={t.phoneEligible} />
          ) : (
            <List header={t.phoneIneligible}>
              {result.eligibility.problems.map((p) => (
                <List.Item key={p.reason} data-testid="phone-problem" data-reason={p.reason}>
                  <span style={{ color: 'var(--adm-color-danger)' }}>{lang === 'en' ? p.en : p.zh}</span>
                </List.Item>
              ))}
            </List>
          )}
        </div>
      )}

      {result?.eligibility.eligible ? (
        <Button block color="primary" size="large" loading={busy} disabled={busy} onClick={() => onPassed(result.phone)} data-testid="phone-continue">
          {actionLabel}
        </Button>
      ) : (
        <Button block color="primary" size="large" loading={check.isPending} disabled={phone.model.trim() === ''} onClick={run} data-testid="phone-check">
          {t.checkPhone}
        </Button>
      )}

      <Collapse className="section ecard-requirements">
        <Collapse.Panel key="req" title={t.requirementsTitle}>
          {support.isPending ? (
            <Skeleton.Paragraph lineCount={3} animated />
          ) : support.isError ? (
            <LoadFailed error={support.error} onRetry={() => void support.refetch()} />
          ) : (
            <ul className="muted" data-testid="phone-requirements">
              <li>NFC</li>
              <li>{t.appVersion} ≥ {support.data.requirements.app}</li>
              <li>{t.walletVersion_huawei} ≥ {support.data.requirements.huaweiWallet}</li>
              <li>{t.walletVersion_xiaomi}（{t.channel_stable}）≥ {support.data.requirements.xiaomiSmartCardStable}</li>
              <li>{t.devSystemVersion} ≥ {support.data.requirements.xiaomiSystemDev}</li>
              <li>iOS ≥ {support.data.requirements.ios}</li>
            </ul>
          )}
        </Collapse.Panel>
        <Collapse.Panel key="models" title={t.supportedModels}>
          {support.data && brands.map((b) => (
            <p key={b} className="muted">
              <strong>{t[`brand_${b}`]}：</strong>
              {support.data.models.filter((m) => m.brand === b).map((m) => m.name).join('、')}
            </p>
          ))}
        </Collapse.Panel>
      </Collapse>
    </>
  );
}
