import { asOneStatement } from './statement';

describe('asOneStatement', () => {
  it('returns a single statement unchanged', () => {
    const statement = { sql: 'UPDATE "a" SET "x" = $1', values: [1] };
    expect(asOneStatement([statement])).toBe(statement);
  });

  it('makes every statement but the last a CTE and numbers the parameters on', () => {
    expect(
      asOneStatement([
        { sql: 'UPDATE "a" SET "x" = $2 WHERE "id" = $1', values: ['a', 1] },
        { sql: 'INSERT INTO "b" VALUES ($1, $2), ($3, $1)', values: ['b', 2, 3] },
        { sql: 'DELETE FROM "c" WHERE "id" = $1', values: ['c'] },
      ]),
    ).toEqual({
      sql: 'WITH w0 AS (UPDATE "a" SET "x" = $2 WHERE "id" = $1), w1 AS (INSERT INTO "b" VALUES ($3, $4), ($5, $3)) DELETE FROM "c" WHERE "id" = $6',
      values: ['a', 1, 'b', 2, 3, 'c'],
    });
  });
});
