/** pg's own conversion of a parameter to its text form (what `client.query` applies to `values`). */
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): unknown;
}
