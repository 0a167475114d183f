import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OperatorClient, type HttpApi, type TerminalCredentials } from './client.js';

/**
 * A campus terminal (canteen POS, network gateway) as the CLI keeps it: registered once by an
 * operator for one university, its code and secret kept in a file (mode 0600) between runs.
 */
export interface CampusTerminalOptions {
  url: string;
  /** Where the terminal keeps its code and secret between runs. */
  credentialsFile: string;
  /** Used only to register the terminal the first time. */
  operator: { token?: string; username?: string; password?: string };
  kind: 'pos' | 'network_gateway';
  /** The terminal's operator (its merchant account). */
  operatorName: string;
  /** The code of the university it serves. */
  school: string;
}

export interface StoredCampusTerminal extends TerminalCredentials {
  id: string;
  url: string;
  kind: string;
  operatorName: string;
  school: string;
}

const codePrefix = { pos: 'POS', network_gateway: 'NETGW' } as const;

/** The stored terminal if it matches, else a newly registered one. */
export async function campusTerminal(http: HttpApi, options: CampusTerminalOptions): Promise<StoredCampusTerminal> {
  if (existsSync(options.credentialsFile)) {
    const stored = JSON.parse(readFileSync(options.credentialsFile, 'utf8')) as StoredCampusTerminal;
    if (stored.url === options.url && stored.kind === options.kind && stored.operatorName === options.operatorName && stored.school === options.school) return stored;
  }
  const op = options.operator.token ? new OperatorClient(http, options.operator.token) : await OperatorClient.login(http, options.operator.username ?? 'operator', options.operator.password ?? '');
  const code = `${codePrefix[options.kind]}-${randomUUID().slice(0, 8).toUpperCase()}`;
  const school = await op.schoolByCode(options.school);
  const created = await op.registerTerminal({ code, kind: options.kind, operator: options.operatorName, location: null, schoolId: school.id });
  const stored = { id: created.id, code, secret: created.secret, url: options.url, kind: options.kind, operatorName: options.operatorName, school: options.school };
  mkdirSync(dirname(options.credentialsFile), { recursive: true });
  writeFileSync(options.credentialsFile, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}
