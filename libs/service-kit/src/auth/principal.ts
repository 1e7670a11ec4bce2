/** Roles a token can grant. A customer sees and places their own orders; an admin runs the shop. */
export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the verified access token says. */
export interface Principal {
  /** The token's `sub`: for a customer, their customer id. */
  readonly subject: string;
  readonly roles: readonly Role[];
  /** The token as received, forwarded to downstream services that verify it themselves. */
  readonly token: string;
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}
