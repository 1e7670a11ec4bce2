/**
 * Who is asking, as the access token says. A customer sees and changes only their own orders; an
 * admin sees every order. Orders of others are "not found" to a customer, so ids reveal nothing.
 */
export interface Viewer {
  readonly customerId: string;
  readonly admin: boolean;
}

/** The customer whose orders the viewer may see, or undefined for all of them. */
export function visibleCustomer(viewer: Viewer): string | undefined {
  return viewer.admin ? undefined : viewer.customerId;
}

export function canSee(viewer: Viewer, customerId: string): boolean {
  return viewer.admin || viewer.customerId === customerId;
}
