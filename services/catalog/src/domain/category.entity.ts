/** A category as products reference it; categories are reference data, seeded and rarely changed. */
export interface Category {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string;
}
