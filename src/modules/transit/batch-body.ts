import { validatorCompiler } from 'fastify-type-provider-zod';
import { controlCharacter } from '../../platform/text.js';
import {
  batchRequestSchema, busLineTypeSchema, fareModeSchema, fareRuleSchema, MAX_BATCH_RECORDS, riderCategorySchema, tacPattern, tapKindSchema, tapRecordSchema, type BatchRequest,
} from './protocol.js';

/**
 * The upload body, checked where it lies. zod's parse of batchRequestSchema builds a copy of every
 * one of 5,000 records and their fares, which cost settlement as much as parsing the JSON did.
 * isBatchRequest applies the same rules to the parsed body without copying: a body it accepts is
 * one the schema accepts (batch-body.test.ts holds the two together), and a body it
 * does not accept goes to the schema, which gives the same 400 as every other route.
 *
 * Unknown fields are ignored either way (the schema strips them; here they are left unread).
 */

// The schema's own patterns and enums, so the two cannot drift apart.
const datetimePattern = (tapRecordSchema.shape.at as unknown as { _zod: { pattern: RegExp } })._zod.pattern;
const uuidPattern = (batchRequestSchema.shape.batchId as unknown as { _zod: { pattern: RegExp } })._zod.pattern;
const kinds = new Set<unknown>(tapKindSchema.options);
const modes = new Set<unknown>(fareModeSchema.options);
const categories = new Set<unknown>(riderCategorySchema.options);
const lineTypes = new Set<unknown>(busLineTypeSchema.options);
const rules = new Set<unknown>(fareRuleSchema.options);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isText = (v: unknown, max: number): boolean => typeof v === 'string' && v.length >= 1 && v.length <= max && !controlCharacter.test(v);
const isOptional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);

function isFare(f: unknown): boolean {
  if (f === null) return true;
  if (!isObject(f)) return false;
  return modes.has(f.mode) && categories.has(f.category) && isOptional(f.lineType, (v) => lineTypes.has(v))
    && isOptional(f.distanceKm, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)
    && isInt(f.fullFareFen, 0) && isInt(f.fareFen, 0) && rules.has(f.rule) && isOptional(f.monthSpentBeforeFen, (v) => isInt(v, 0))
    && isOptional(f.entryStation, (v) => isText(v, 64)) && isOptional(f.exitStation, (v) => isText(v, 64));
}

function isActionIds(ids: unknown): boolean {
  if (!Array.isArray(ids) || ids.length > 32) return false;
  for (const id of ids) if (!isText(id, 64)) return false;
  return true;
}

function isRecord(r: unknown): boolean {
  return isObject(r) && isInt(r.seq, 1) && isText(r.cardNo, 32) && isInt(r.cardCounter, 1) && kinds.has(r.kind) && isInt(r.amountFen, 0)
    && isInt(r.balanceAfterFen, Number.MIN_SAFE_INTEGER) && typeof r.at === 'string' && datetimePattern.test(r.at) && isFare(r.fare)
    && isActionIds(r.appliedActionIds) && typeof r.tac === 'string' && tacPattern.test(r.tac);
}

export function isBatchRequest(body: unknown): body is BatchRequest {
  if (!isObject(body) || typeof body.batchId !== 'string' || !uuidPattern.test(body.batchId)) return false;
  const records = body.records;
  if (!Array.isArray(records) || records.length < 1 || records.length > MAX_BATCH_RECORDS) return false;
  for (const r of records) if (!isRecord(r)) return false;
  return true;
}

/**
 * The validator compiler of the transit routes: the schema's, except that an upload body is
 * checked in place first (and goes to the schema, and its 400, only when that check says no).
 */
export const transitValidatorCompiler: typeof validatorCompiler = (route) => {
  const bySchema = validatorCompiler(route);
  if (route.schema !== batchRequestSchema) return bySchema;
  return (data: unknown) => (isBatchRequest(data) ? { value: data } : bySchema(data));
};
