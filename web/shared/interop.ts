/**
 * Locale files of antd and antd-mobile are ES modules inside packages without `"type": "module"`.
 * TypeScript (NodeNext) therefore types a default import as `{ default: value }`, while Vite hands
 * over the value itself. This accepts both so the typecheck and the bundle agree.
 */
export function esmDefault<T>(module: { default: T }): T {
  const value: unknown = module;
  return (typeof value === 'object' && value !== null && 'default' in value ? module.default : value) as T;
}
