import { expect } from 'vitest';
import type { TerminalKind } from '../../src/platform/db/schema.js';
import { newId } from '../../src/platform/ids.js';
import type { TestApp } from './app.js';

/**
 * A terminal registered by an operator over the API and signed in with its own secret, as the
 * real device does. Campus kinds belong to a school; transit kinds have none.
 */
export async function registerTerminal(t: TestApp, options: { kind: TerminalKind; operatorName: string; schoolId: string | null; code?: string }) {
  const code = options.code ?? `T-${options.kind.toUpperCase().replace('_', '')}-${newId().slice(-12)}`;
  const operator = await t.factory.operatorToken();
  const registered = await t.app.inject({
    method: 'POST', url: '/api/v1/admin/terminals', headers: { authorization: `Bearer ${operator}` },
    payload: { code, kind: options.kind, operator: options.operatorName, location: null, schoolId: options.schoolId },
  });
  expect(registered.statusCode, registered.body).toBe(201);
  const { id, secret } = registered.json() as { id: string; secret: string };
  const token = (await t.app.inject({ method: 'POST', url: '/api/v1/terminal-sessions', payload: { code, secret } })).json().token as string;
  return { id, code, token };
}
