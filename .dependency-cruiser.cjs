// Architecture rules, run by `pnpm arch` (part of `npm test`). See the README's "Architecture" section.
// A module path is matched both as resolved into node_modules and as a bare name, so the rules
// hold even where a package is not installed.
const pkg = (names) => `(^|/node_modules/)(${names.join('|')})(/|$)`;

const FRAMEWORKS = [
  '@nestjs/[^/]+',
  '@prisma/[^/]+',
  'prisma',
  '@nats-io/[^/]+',
  'nats',
  '@grpc/[^/]+',
  'pg',
  'fastify',
  '@fastify/[^/]+',
  'rxjs',
  'nestjs-pino',
  'pino',
  'reflect-metadata',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      comment: 'domain/ holds the business rules: no framework, ORM, broker or transport in it.',
      severity: 'error',
      from: { path: '^(services/[^/]+|gateway)/src/domain/', pathNot: '\\.spec\\.ts$' },
      to: { path: pkg(FRAMEWORKS) },
    },
    {
      name: 'domain-depends-on-nothing-outside',
      comment: 'domain/ may use itself and @storefront/ddd, nothing of the layers around it.',
      severity: 'error',
      from: { path: '^(services/[^/]+)/src/domain/', pathNot: '\\.spec\\.ts$' },
      to: {
        pathNot: ['^$1/src/domain/', '^libs/ddd/', pkg(['@storefront/ddd']), '^node:', '^[a-z_]+$'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'application-not-on-adapters',
      comment: 'Use cases depend on ports, not on Prisma repositories or controllers.',
      severity: 'error',
      from: { path: '^(services/[^/]+)/src/application/' },
      to: { path: '^$1/src/(infrastructure|interface)/' },
    },
    {
      name: 'no-service-imports-another',
      comment: 'Services share only libs/contracts; talk over gRPC, REST or events instead.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^(services/|gateway/)', pathNot: '^services/$1/' },
    },
    {
      name: 'gateway-imports-no-service',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^services/' },
    },
    {
      name: 'libs-only-through-public-entry',
      comment: 'Another package of libs/ is used through its entry points only (index; devstack also testing), never its internals.',
      severity: 'error',
      from: { path: '^(libs/[^/]+|services/[^/]+|gateway)/' },
      to: {
        path: '^libs/[^/]+/',
        pathNot: [
          '^$1/',
          '^libs/[^/]+/src/index\\.ts$',
          '^libs/[^/]+/dist/index\\.js$',
          '^libs/devstack/(src/testing\\.ts|dist/testing\\.js)$',
          '^libs/contracts/proto/',
        ],
      },
    },
    {
      name: 'libs-import-no-service',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(services|gateway)/' },
    },
    {
      name: 'no-circular',
      comment: 'Cycles of type-only imports (an aggregate and its event types) are harmless and allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    // Dependencies on these are checked, but not followed into.
    doNotFollow: { path: '(^|/)(node_modules|generated)/' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'require', 'node', 'default'],
      mainFields: ['types', 'main'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
  },
};
