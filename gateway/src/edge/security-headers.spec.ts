import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it('are helmet’s headers, with our content security policy, worked out once', () => {
    const headers = securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'] } } });
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toContain('max-age=');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("img-src 'self' data:");
    // helmet removes this one rather than setting it.
    expect(headers['x-powered-by']).toBeUndefined();
  });

  it('refuses a policy helmet refuses, at start-up rather than on a request', () => {
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ['self'] } } })).toThrow();
  });
});
