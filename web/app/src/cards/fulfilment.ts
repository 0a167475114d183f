import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  ApplicationDto, ApplicationKind, ApplyKind, ConfirmationDto, CreateApplication, Correction, DeliveryChoice, IdentityCheck, ReplacementReason, VerifyResult, applicationListSchema,
} from '../../../../src/modules/fulfilment/fulfilment.schemas.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';

export type { ApplicationDto, ApplicationKind, ApplyKind, ConfirmationDto, Correction, DeliveryChoice, IdentityCheck, ReplacementReason, VerifyResult };
export type MaskedCardInfo = VerifyResult['cards'][number];

/*
 * Helper E's fulfilment API (src/modules/fulfilment): information confirmation, K-12 replacement
 * and sticker replacement applications and their progress.
 */

/** The student's replacement/sticker applications, newest first as the server sends them. */
export function useApplications(studentId: string | undefined, kind?: ApplicationKind) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['card-applications', 'list', studentId, kind, token],
    queryFn: async ({ signal }) => (await api.get<z.infer<typeof applicationListSchema>>('/fulfilment/applications', { studentId, kind }, signal)).items,
    enabled: studentId !== undefined,
  });
}

/** An application still under way: its card gets its progress, not a second application. */
export function isOpenApplication(application: ApplicationDto): boolean {
  return application.status !== 'completed' && application.status !== 'cancelled';
}

/** Every application of the caller (a parent: of all the children), newest first. */
export function useAllApplications() {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['card-applications', 'list', 'all', token],
    queryFn: async ({ signal }) => (await api.get<z.infer<typeof applicationListSchema>>('/fulfilment/applications', undefined, signal)).items,
  });
}

export function useApplication(applicationId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['card-applications', 'one', applicationId, token],
    queryFn: ({ signal }) => api.get<ApplicationDto>(`/fulfilment/applications/${applicationId}`, undefined, signal),
  });
}

/** 填写信息 → 卡片补办: the typed identity against the roster; the answer is the masked card information. */
export function useVerifyIdentity() {
  const api = useApi();
  return useMutation({ mutationFn: (check: IdentityCheck) => api.post<VerifyResult>('/fulfilment/verify', check) });
}

/** 申请补卡 / 补换申请 with the delivery choice. */
export function useCreateApplication() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (body: CreateApplication, idempotencyKey) => api.post<ApplicationDto>('/fulfilment/applications', body, { idempotencyKey }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['card-applications'] }),
  });
}

/** 补卡缴费: the ¥15 fee order for an application (inside a payment window). */
export function useApplicationFeeOrder(applicationId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<ApplicationDto>(`/fulfilment/applications/${applicationId}/fee-order`, undefined, { idempotencyKey }),
    onSuccess: (application) => {
      queryClient.setQueryData(['card-applications', 'one', applicationId, api.tokens.get()], application);
      return queryClient.invalidateQueries({ queryKey: ['card-applications'] });
    },
  });
}

/** 制卡信息确认: the record for a student (a student may leave the id out). */
export function useConfirmation(studentId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['card-confirmation', studentId, token],
    queryFn: ({ signal }) => api.get<ConfirmationDto>('/fulfilment/confirmation', { studentId }, signal),
  });
}

export function useConfirmationAction(confirmationId: string | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (action: { kind: 'confirm' } | { kind: 'report'; corrections: Correction[] }, idempotencyKey) =>
      action.kind === 'confirm'
        ? api.post<ConfirmationDto>(`/fulfilment/confirmations/${confirmationId}/confirm`, {}, { idempotencyKey })
        : api.post<ConfirmationDto>(`/fulfilment/confirmations/${confirmationId}/report`, { corrections: action.corrections }, { idempotencyKey }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['card-confirmation'] }),
  });
}

/** Withdraw an application before it is paid. */
export function useCancelApplication(applicationId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<ApplicationDto>(`/fulfilment/applications/${applicationId}/cancel`, undefined, { idempotencyKey }),
    onSuccess: (application) => {
      queryClient.setQueryData(['card-applications', 'one', applicationId, api.tokens.get()], application);
      return queryClient.invalidateQueries({ queryKey: ['card-applications'] });
    },
  });
}

/** 重新配送: a parcel back at the card centre goes out again, home (any address) or to the school. */
export function useRedeliver(applicationId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (choice: DeliveryChoice, idempotencyKey) => api.post<ApplicationDto>(`/fulfilment/applications/${applicationId}/redelivery`, choice, { idempotencyKey }),
    onSuccess: (application) => {
      queryClient.setQueryData(['card-applications', 'one', applicationId, api.tokens.get()], application);
      return queryClient.invalidateQueries({ queryKey: ['card-applications'] });
    },
  });
}
