import type { Metadata } from '@grpc/grpc-js';
import {
  applyDecorators,
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from './auth.errors';
import { hasRole, type Principal, type Role } from './principal';
import { TokenVerifier } from './token-verifier';

const REQUIRED_ROLES = Symbol('storefront:required-roles');
/** Principals of requests in flight, keyed by the HTTP request or gRPC metadata object. */
const principals = new WeakMap<object, Principal>();

/**
 * Marks a route (or every route of a controller) as needing a verified access token; with roles,
 * the token must grant at least one of them. Routes without it are public.
 */
export function Authenticated(...anyOf: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_ROLES, anyOf));
}

function carrier(context: ExecutionContext): { target: object; authorization: string | undefined } {
  if (context.getType() === 'rpc') {
    const metadata = context.switchToRpc().getContext<Metadata>();
    const value = metadata.get('authorization')[0];
    return { target: metadata, authorization: typeof value === 'string' ? value : undefined };
  }
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  const value = request.headers.authorization;
  return { target: request, authorization: typeof value === 'string' ? value : undefined };
}

/** The verified caller of an @Authenticated route. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = principals.get(carrier(context).target);
  if (!principal) throw new Error('CurrentPrincipal used on a route without @Authenticated()');
  return principal;
});

/**
 * The one guard of every process (HTTP and gRPC): verifies the bearer token of @Authenticated routes
 * and checks their roles. Errors leave through the transport's filter as 401/403 (UNAUTHENTICATED/
 * PERMISSION_DENIED over gRPC).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]);
    if (required === undefined) return true;
    const { target, authorization } = carrier(context);
    const principal = await this.verifier.verifyRequest(target, authorization);
    if (required.length > 0 && !required.some((role) => hasRole(principal, role))) {
      throw new ForbiddenError(`This operation needs the ${required.join(' or ')} role`);
    }
    principals.set(target, principal);
    return true;
  }
}
