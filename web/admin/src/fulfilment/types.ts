import type { z } from 'zod';
import type {
  adminConfirmationSchema, applicationSchema, batchDetailSchema, batchSchema, deliveryChoiceSchema, deliverySchema, fulfilmentSettingsSchema,
} from '../../../../src/modules/fulfilment/fulfilment.schemas.js';

/** The console's view of the fulfilment API, from the server's zod schemas (type-only imports). */
export type AdminConfirmation = z.infer<typeof adminConfirmationSchema>;
export type Application = z.infer<typeof applicationSchema>;
export type Batch = z.infer<typeof batchSchema>;
export type BatchDetail = z.infer<typeof batchDetailSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type FulfilmentSettings = z.infer<typeof fulfilmentSettingsSchema>;
export type DeliveryChoice = z.infer<typeof deliveryChoiceSchema>;
