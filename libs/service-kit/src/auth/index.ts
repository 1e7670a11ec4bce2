export { authConfigSchema, type AuthConfig } from './auth.config';
export { AuthenticationError, ForbiddenError } from './auth.errors';
export { AuthGuard, Authenticated, CurrentPrincipal } from './auth.guard';
export { ROLES, hasRole, type Principal, type Role } from './principal';
export { TokenVerifier } from './token-verifier';
