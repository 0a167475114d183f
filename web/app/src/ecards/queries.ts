import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  agreementSchema, ecardResultSchema, eligibilitySchema, extensionStatusSchema, linkUniversitySchema, openK12Schema, phoneSchema, phoneSupportSchema, returnResultSchema,
  schoolListSchema, universityEligibilitySchema, upgradeK12Schema, upgradeStatusSchema,
} from '../../../../src/modules/ecards/ecards.schemas.js';
import { useApi, useSession } from '../../../shared/session.js';
import type { Card } from '../cards/queries.js';

export type Phone = z.input<typeof phoneSchema>;
export type Eligibility = z.infer<typeof eligibilitySchema>;
export type PhoneSupport = z.infer<typeof phoneSupportSchema>;
export type Agreement = z.infer<typeof agreementSchema>;
export type EcardResult = z.infer<typeof ecardResultSchema>;
export type UpgradeStatus = z.infer<typeof upgradeStatusSchema>;
export type ExtensionStatus = z.infer<typeof extensionStatusSchema>;
export type UniversityEligibility = z.infer<typeof universityEligibilitySchema>;
export type ReturnResult = z.infer<typeof returnResultSchema>;
export type SchoolOption = z.infer<typeof schoolListSchema>['items'][number];
export type OpenK12Body = z.input<typeof openK12Schema>;
export type UpgradeBody = z.input<typeof upgradeK12Schema>;
export type LinkUniversityBody = z.input<typeof linkUniversitySchema>;

export function usePhoneSupport() {
  const api = useApi();
  return useQuery({ queryKey: ['ecards', 'phone-support'], queryFn: ({ signal }) => api.request<PhoneSupport>('GET', '/ecards/phone-support', { auth: false, signal }), staleTime: 10 * 60_000 });
}

export function useAgreement() {
  const api = useApi();
  return useQuery({ queryKey: ['ecards', 'agreement'], queryFn: ({ signal }) => api.request<Agreement>('GET', '/ecards/agreement', { auth: false, signal }), staleTime: 10 * 60_000 });
}

export function useCheckPhone() {
  const api = useApi();
  return useMutation({ mutationFn: (phone: Phone) => api.request<Eligibility>('POST', '/ecards/phone-check', { body: phone, auth: false }) });
}

export function useK12Schools(q: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['ecards', 'k12-schools', q, token],
    queryFn: async ({ signal }) => (await api.get<{ items: SchoolOption[] }>('/ecards/k12/schools', { q }, signal)).items,
    placeholderData: (previous) => previous,
  });
}

export function usePartnerSchools() {
  const api = useApi();
  return useQuery({
    queryKey: ['ecards', 'partner-schools'],
    queryFn: async ({ signal }) => (await api.request<{ items: SchoolOption[] }>('GET', '/ecards/university/partner-schools', { auth: false, signal })).items,
  });
}

export function useUpgradeStatus(cardId: string, enabled = true) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({ queryKey: ['ecards', 'upgrade', cardId, token], queryFn: ({ signal }) => api.get<UpgradeStatus>(`/ecards/k12/${cardId}/upgrade`, undefined, signal), enabled });
}

export function useExtensionStatus(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({ queryKey: ['ecards', 'extension', cardId, token], queryFn: ({ signal }) => api.get<ExtensionStatus>(`/ecards/university/${cardId}/extension`, undefined, signal) });
}

export function useUniversityEligibility(studentId: string | null) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['ecards', 'university-eligibility', studentId, token],
    queryFn: ({ signal }) => api.get<UniversityEligibility>('/ecards/university/eligibility', { studentId }, signal),
    enabled: studentId !== null,
  });
}

/** After an e-card changed, every card list, balance and e-card status is stale. */
export function useInvalidateCards() {
  const queryClient = useQueryClient();
  return () => Promise.all(['cards', 'ecards', 'card-transactions', 'consents'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
}

export const isEcard = (card: Card) => card.medium === 'phone';
