/** One SQL statement with its parameters ($1, $2, … of its own). */
export interface SqlStatement {
  readonly sql: string;
  readonly values: readonly unknown[];
}

/**
 * Several writes as one statement, for one round trip instead of one each: every statement but the
 * last becomes a data-modifying CTE (PostgreSQL runs each exactly once, whether or not it is read),
 * its parameters renumbered after the previous ones'. The statements run on one snapshot and do not
 * see each other's rows, so they must not write the same row; and each must be a plain INSERT,
 * UPDATE or DELETE (a WITH of its own cannot be nested).
 */
export function asOneStatement(statements: readonly SqlStatement[]): SqlStatement {
  if (statements.length === 1) return statements[0] as SqlStatement;
  let offset = 0;
  const parts = statements.map((statement) => {
    const shift = offset;
    offset += statement.values.length;
    return shift === 0 ? statement.sql : statement.sql.replace(/\$(\d+)/g, (_match, index: string) => `$${Number(index) + shift}`);
  });
  const ctes = parts.slice(0, -1).map((part, index) => `w${index} AS (${part})`);
  return { sql: `WITH ${ctes.join(', ')} ${parts.at(-1) as string}`, values: statements.flatMap((statement) => statement.values) };
}
