#!/usr/bin/env node
// `pnpm gen:service <name> [--dry-run]`: adds a wired bounded context, in the one anatomy every
// service follows (DEVELOPERS.md, "One anatomy"): services/<name>/ with its package, Prisma schema
// and init migration (the messaging tables included), config, module, main.ts, a sample aggregate
// with its spec, a command, a query, health and metrics (service-kit), an event contract registered
// with a stream of its own, tests against the real PostgreSQL and NATS, and its Kubernetes base
// (which Argo CD's services ApplicationSet finds by its folder) with its CloudNativePG Cluster
// (base/<name>/database). Then it installs, generates the
// Prisma client, records the events' baselines and the service's AsyncAPI document.
//
// Outside the new folders it edits two files by hand (EDITED below: the event registry and the
// Kubernetes base's resource list: the service and its database) and pnpm-lock.yaml through pnpm install; nothing else lists the
// services (DEVELOPERS.md, "Adding a service"; gen-service.test.ts counts the edits).
//
// Dependency-free on purpose (like sf.mjs): it runs before anything is built.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const skipInstall = args.includes('--no-install');
const unknown = args.find((arg) => arg.startsWith('-') && !['--dry-run', '--no-install'].includes(arg));
const names = args.filter((arg) => !arg.startsWith('-'));

function fail(message) {
  process.stderr.write(`gen:service: ${message}\n`);
  process.exit(1);
}

if (unknown) fail(`unknown option ${unknown}; usage: pnpm gen:service <name> [--dry-run]`);
if (names.length !== 1) fail('usage: pnpm gen:service <name> [--dry-run]   (name: kebab-case, e.g. shipping)');
const name = names[0];
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 30) {
  fail(
    `"${name}" is not a kebab-case name (lower-case letters and digits, words joined by single dashes, at most 30 characters, e.g. "shipping" or "gift-cards")`,
  );
}
const RESERVED = new Set(['gateway', 'libs', 'deploy', 'gitops', 'deadletter', 'service', 'workload', 'grpc', 'tier']);
if (RESERVED.has(name)) fail(`"${name}" is a name the repository already uses for something else; choose another`);
// A folder holding only installed packages (node_modules) is not a service yet.
if (['package.json', 'src'].some((entry) => existsSync(join(ROOT, 'services', name, entry)))) {
  fail(`services/${name} already exists; choose another name`);
}
if (existsSync(join(ROOT, 'deploy', 'k8s', 'base', name))) fail(`deploy/k8s/base/${name} already exists; choose another name`);
if (existsSync(join(ROOT, 'libs', 'contracts', 'src', 'events', `${name}.events.ts`)))
  fail(`libs/contracts/src/events/${name}.events.ts already exists; choose another name`);

// Names in every case the files need.
const words = name.split('-');
const Pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
const camel = Pascal[0].toLowerCase() + Pascal.slice(1);
const CONST = words.join('_').toUpperCase();
const snake = words.join('_');
const Entity = `${Pascal}Item`;
const entity = `${name}-item`;
const entityCamel = `${camel}Item`;
const table = `${snake}_items`;
const STREAM = `${CONST}_STREAM`;
const createdEvent = `${Entity}CreatedV1`;
const subject = `${name}.${entity}-created.v1`;

// The next free ports after the services that exist.
const manifests = readdirSync(join(ROOT, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'services', entry.name, 'package.json')))
  .map((entry) => JSON.parse(readFileSync(join(ROOT, 'services', entry.name, 'package.json'), 'utf8')).storefront)
  .filter(Boolean);
const httpPort = Math.max(3000, ...manifests.map((manifest) => manifest.ports.http)) + 1;
const messagingTables = readFileSync(join(ROOT, 'libs', 'messaging', 'sql', 'messaging-tables.sql'), 'utf8');
const messagingRetention = readFileSync(join(ROOT, 'libs', 'messaging', 'sql', 'messaging-retention.sql'), 'utf8');
const messagingPublishAfterCommit = readFileSync(join(ROOT, 'libs', 'messaging', 'sql', 'messaging-publish-after-commit.sql'), 'utf8');
const messagingOutboxFillfactor = readFileSync(join(ROOT, 'libs', 'messaging', 'sql', 'messaging-outbox-fillfactor.sql'), 'utf8');
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 12);

const dir = `services/${name}`;
const files = new Map();
const edits = new Map();
const add = (path, content) => files.set(path, content.replace(/^\n/, ''));

add(
  `${dir}/package.json`,
  `${JSON.stringify(
    {
      name: `@storefront/${name}`,
      version: '0.1.0',
      private: true,
      license: 'MIT',
      files: ['dist', 'prisma', '!dist/**/*.spec.*'],
      description: `${Pascal} bounded context (generated by pnpm gen:service; replace this line with what it owns).`,
      storefront: { ports: { http: httpPort }, database: snake },
      scripts: {
        generate: 'prisma generate',
        build: 'swc src -d dist --strip-leading-paths --config-file ../../.swcrc --quiet',
        start: 'node dist/main.js',
        'db:migrate': 'sf-db migrate',
      },
      dependencies: Object.fromEntries(
        [
          '@nestjs/common',
          '@prisma/adapter-pg',
          '@prisma/client',
          '@storefront/contracts',
          '@storefront/ddd',
          '@storefront/messaging',
          '@storefront/persistence',
          '@storefront/service-kit',
          'reflect-metadata',
          'rxjs',
          'zod',
        ].map((dependency) => [dependency, dependency.startsWith('@storefront/') ? 'workspace:*' : 'catalog:']),
      ),
      devDependencies: Object.fromEntries(
        ['@storefront/devstack', '@storefront/testing', 'prisma'].map((dependency) => [
          dependency,
          dependency.startsWith('@storefront/') ? 'workspace:*' : 'catalog:',
        ]),
      ),
    },
    null,
    2,
  )}\n`,
);

add(
  `${dir}/README.md`,
  `
# ${name}

${Pascal} bounded context, generated by \`pnpm gen:service ${name}\`. It owns ${entity}s: it creates
them over HTTP and announces each one as \`${subject}\` on the ${CONST} stream.

## Layers

\`\`\`text
src/domain/          ${entity}.aggregate.ts (+ spec), ${entity}.domain-event.ts, ${entity}.repository.ts, ${name}.errors.ts
src/application/     commands/create-${entity}/, queries/get-${entity}/
src/infrastructure/  prisma/ (PrismaService, repository, mapper), messaging/${name}-events.mapper.ts
src/interface/       http/${entity}s.http.controller.ts
src/config.ts, src/main.ts, src/${name}.module.ts
\`\`\`

\`pnpm jest services/${name}\` runs its tests against the real PostgreSQL and NATS.
`,
);

add(
  `${dir}/prisma.config.ts`,
  `
import { defineConfig } from 'prisma/config';

// The Prisma CLI's configuration. The running service does not read this file: it connects through
// @prisma/adapter-pg with the DATABASE_URL from its validated config.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/storefront_${snake}' },
});
`,
);

add(
  `${dir}/prisma/schema.prisma`,
  `
// ${Pascal}'s own database. Migrations are in ./migrations (Prisma's format); apply them with
// \`pnpm db:migrate\` (works offline) or \`prisma migrate deploy\`.

generator client {
  provider      = "prisma-client"
  output        = "../src/infrastructure/prisma/generated"
  moduleFormat  = "cjs"
  runtime       = "nodejs"
  // The query compiler built for size: half the wasm of the "fast" build, kept in every process;
  // compiled query plans are cached, so only a first query of a shape pays (docs/bench.md).
  compilerBuild = "small"
}

datasource db {
  provider = "postgresql"
}

/// status: open or closed (CHECK in the migration).
model ${Entity} {
  id        String   @id @db.Uuid
  reference String   @unique @db.VarChar(64)
  status    String   @db.VarChar(16)
  createdAt DateTime @map("created_at") @db.Timestamptz(3)
  updatedAt DateTime @map("updated_at") @db.Timestamptz(3)

  @@map("${table}")
}

// Tables of @storefront/messaging; written through its Outbox and consumers, never directly.

model OutboxMessage {
  position    BigInt    @id @default(autoincrement())
  id          String    @unique @db.Uuid
  subject     String    @db.VarChar(255)
  envelope    Json
  createdAt   DateTime  @default(now()) @map("created_at") @db.Timestamptz(3)
  publishedAt DateTime? @map("published_at") @db.Timestamptz(3)
  attempts    Int       @default(0)
  lastError   String?   @map("last_error")
  /// Set when the writing process publishes the row after commit: the relay leaves it until then.
  relayAfter  DateTime? @map("relay_after") @db.Timestamptz(3)

  @@map("outbox")
}

model InboxMessage {
  consumer    String   @db.VarChar(255)
  eventId     String   @map("event_id") @db.Uuid
  subject     String   @db.VarChar(255)
  processedAt DateTime @default(now()) @map("processed_at") @db.Timestamptz(3)

  @@id([consumer, eventId])
  @@index([consumer, processedAt])
  @@map("inbox")
}

/// How far back a consumer's inbox was pruned (@storefront/messaging, RetentionSweeper).
model InboxHorizon {
  consumer     String   @id @db.VarChar(255)
  prunedBefore DateTime @map("pruned_before") @db.Timestamptz(3)

  @@map("inbox_horizon")
}
`,
);

add(
  `${dir}/prisma/migrations/migration_lock.toml`,
  `
# Please do not edit this file manually
# It should be added in your version-control system (e.g., Git)
provider = "postgresql"
`,
);

add(
  `${dir}/prisma/migrations/${stamp}00_init/migration.sql`,
  `
CREATE TABLE "${table}" (
    "id" UUID NOT NULL,
    "reference" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "${table}_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "${table}_status_check" CHECK ("status" IN ('open', 'closed'))
);
CREATE UNIQUE INDEX "${table}_reference_key" ON "${table}"("reference");
`,
);
add(
  `${dir}/prisma/migrations/${stamp}01_messaging/migration.sql`,
  `-- Outbox and inbox of @storefront/messaging (copy of libs/messaging/sql/messaging-tables.sql).\n${messagingTables}`,
);
add(
  `${dir}/prisma/migrations/${stamp}02_messaging_retention/migration.sql`,
  `-- Copy of libs/messaging/sql/messaging-retention.sql.\n${messagingRetention}`,
);
add(
  `${dir}/prisma/migrations/${stamp}03_messaging_publish_after_commit/migration.sql`,
  `-- Copy of libs/messaging/sql/messaging-publish-after-commit.sql.\n${messagingPublishAfterCommit}`,
);
add(
  `${dir}/prisma/migrations/${stamp}04_messaging_outbox_fillfactor/migration.sql`,
  `-- Copy of libs/messaging/sql/messaging-outbox-fillfactor.sql.\n${messagingOutboxFillfactor}`,
);

add(
  `${dir}/src/config.ts`,
  `
import { natsConfigSchema } from '@storefront/messaging';
import { baseConfigSchema, databaseConfigSchema } from '@storefront/service-kit';
import type { z } from 'zod';

export const ${camel}ConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: baseConfigSchema.shape.HTTP_PORT.default(${httpPort}),
  ...databaseConfigSchema.shape,
  ...natsConfigSchema.shape,
});

export type ${Pascal}Config = z.output<typeof ${camel}ConfigSchema>;
`,
);

add(
  `${dir}/src/main.ts`,
  `
import 'reflect-metadata';
import { loadConfig, runService } from '@storefront/service-kit';
import { ${camel}ConfigSchema } from './config';
import { ${Pascal}Module } from './${name}.module';

const config = loadConfig(${camel}ConfigSchema);
void runService('${name}', { module: ${Pascal}Module.register(config), config });
`,
);

add(
  `${dir}/src/${name}.module.ts`,
  `
import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@storefront/messaging';
import { SqlDatabase } from '@storefront/persistence';
import { ServiceKitModule } from '@storefront/service-kit';
import { Create${Entity}Handler } from './application/commands/create-${entity}/create-${entity}.handler';
import { Get${Entity}Handler } from './application/queries/get-${entity}/get-${entity}.handler';
import type { ${Pascal}Config } from './config';
import { ${CONST}_ITEM_REPOSITORY } from './domain/${entity}.repository';
import { Prisma${Entity}Repository } from './infrastructure/prisma/prisma-${entity}.repository';
import { prismaModule } from './infrastructure/prisma/prisma.service';
import { ${Entity}sHttpController } from './interface/http/${entity}s.http.controller';

@Module({})
export class ${Pascal}Module {
  static register(config: ${Pascal}Config): DynamicModule {
    return {
      module: ${Pascal}Module,
      imports: [
        ServiceKitModule.forRoot({ service: '${name}', config }),
        prismaModule(config),
        MessagingModule.fromConfig(config, { service: '${name}', transactionalClient: SqlDatabase }),
      ],
      controllers: [${Entity}sHttpController],
      providers: [{ provide: ${CONST}_ITEM_REPOSITORY, useClass: Prisma${Entity}Repository }, Create${Entity}Handler, Get${Entity}Handler],
    };
  }
}
`,
);

add(
  `${dir}/src/domain/${name}.errors.ts`,
  `
import { DomainError, type FieldIssue } from '@storefront/ddd';

export class Invalid${Entity}Error extends DomainError {
  readonly code = '${CONST}.INVALID_ITEM';
  readonly kind = 'invalid';

  constructor(issue: FieldIssue) {
    super(\`\${issue.path} \${issue.message}\`, { issues: [issue] });
  }
}

export class ${Entity}NotFoundError extends DomainError {
  readonly code = '${CONST}.ITEM_NOT_FOUND';
  readonly kind = 'not_found';

  constructor(readonly id: string) {
    super(\`No ${entity} \${id}\`);
  }
}

export class ${Entity}ReferenceTakenError extends DomainError {
  readonly code = '${CONST}.REFERENCE_TAKEN';
  readonly kind = 'conflict';

  constructor(readonly reference: string) {
    super(\`The reference \${reference} is taken by another ${entity}\`);
  }
}

export class Illegal${Entity}TransitionError extends DomainError {
  readonly code = '${CONST}.ILLEGAL_TRANSITION';
  readonly kind = 'conflict';

  constructor(id: string, status: string, action: string) {
    super(\`Cannot \${action} the \${status} ${entity} \${id}\`);
  }
}
`,
);

add(
  `${dir}/src/domain/${entity}.domain-event.ts`,
  `
import type { ${Entity}State } from './${entity}.aggregate';

/** Facts inside ${name}; the events mapper turns them into integration events. */
export type ${Entity}DomainEvent =
  | { readonly kind: '${Entity}Created'; readonly item: ${Entity}State; readonly occurredAt: Date }
  | { readonly kind: '${Entity}Closed'; readonly item: ${Entity}State; readonly occurredAt: Date };
`,
);

add(
  `${dir}/src/domain/${entity}.aggregate.ts`,
  `
import { AggregateRoot } from '@storefront/ddd';
import type { ${Entity}DomainEvent } from './${entity}.domain-event';
import { Illegal${Entity}TransitionError, Invalid${Entity}Error } from './${name}.errors';

export type ${Entity}Status = 'open' | 'closed';

export interface ${Entity}State {
  readonly id: string;
  readonly reference: string;
  readonly status: ${Entity}Status;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** open ──close──▶ closed (final). The sample aggregate of a generated service: replace it with yours. */
export class ${Entity} extends AggregateRoot<${Entity}DomainEvent> {
  private constructor(private state: ${Entity}State) {
    super();
  }

  static create(input: { id: string; reference: string }, now: Date): ${Entity} {
    const reference = input.reference.trim();
    if (!/^[A-Za-z0-9-]{1,64}$/.test(reference)) {
      throw new Invalid${Entity}Error({ path: 'reference', message: 'must be 1-64 letters, digits or dashes' });
    }
    const item = new ${Entity}({ id: input.id, reference, status: 'open', createdAt: now, updatedAt: now });
    item.record({ kind: '${Entity}Created', item: item.state, occurredAt: now });
    return item;
  }

  static restore(state: ${Entity}State): ${Entity} {
    return new ${Entity}(state);
  }

  close(now: Date): void {
    if (this.state.status !== 'open') throw new Illegal${Entity}TransitionError(this.state.id, this.state.status, 'close');
    this.state = { ...this.state, status: 'closed', updatedAt: now };
    this.record({ kind: '${Entity}Closed', item: this.state, occurredAt: now });
  }

  get snapshot(): ${Entity}State {
    return this.state;
  }
}
`,
);

add(
  `${dir}/src/domain/${entity}.aggregate.spec.ts`,
  `
import { ${Entity} } from './${entity}.aggregate';
import { Illegal${Entity}TransitionError, Invalid${Entity}Error } from './${name}.errors';

const now = new Date('2026-01-01T00:00:00.000Z');
const later = new Date('2026-01-01T00:01:00.000Z');
const create = (reference = 'REF-1') => ${Entity}.create({ id: '6f7c2a4e-4f3c-4b51-9c43-2a0f1f1f1f1f', reference }, now);

describe('${Entity}', () => {
  it('is created open and announces it once', () => {
    const item = create();
    expect(item.snapshot.status).toBe('open');
    expect(item.pullEvents().map((event) => event.kind)).toEqual(['${Entity}Created']);
    expect(item.pullEvents()).toEqual([]);
  });

  it.each(['', '   ', 'has space', 'x'.repeat(65)])('cannot be created with the reference %p', (reference) => {
    expect(() => create(reference)).toThrow(Invalid${Entity}Error);
  });

  it('closes once and refuses to close again', () => {
    const item = create();
    item.close(later);
    expect(item.snapshot).toMatchObject({ status: 'closed', updatedAt: later });
    expect(() => item.close(later)).toThrow(Illegal${Entity}TransitionError);
  });
});
`,
);

add(
  `${dir}/src/domain/${entity}.repository.ts`,
  `
import type { ${Entity} } from './${entity}.aggregate';

/** Persistence port of ${entity}s; saving one also records the events it recorded (the outbox). */
export interface ${Entity}Repository {
  findById(id: string): Promise<${Entity} | null>;
  /** Throws ${Entity}ReferenceTakenError when the reference is taken. */
  insert(item: ${Entity}): Promise<void>;
}

export const ${CONST}_ITEM_REPOSITORY = Symbol('${Entity}Repository');
`,
);

add(
  `${dir}/src/application/commands/create-${entity}/create-${entity}.command.ts`,
  `
export interface Create${Entity}Command {
  readonly reference: string;
}
`,
);

add(
  `${dir}/src/application/commands/create-${entity}/create-${entity}.handler.ts`,
  `
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ${Entity} } from '../../../domain/${entity}.aggregate';
import { ${CONST}_ITEM_REPOSITORY, type ${Entity}Repository } from '../../../domain/${entity}.repository';
import type { Create${Entity}Command } from './create-${entity}.command';

@Injectable()
export class Create${Entity}Handler {
  constructor(@Inject(${CONST}_ITEM_REPOSITORY) private readonly items: ${Entity}Repository) {}

  async execute(command: Create${Entity}Command): Promise<${Entity}> {
    const item = ${Entity}.create({ id: randomUUID(), reference: command.reference }, new Date());
    await this.items.insert(item);
    return item;
  }
}
`,
);

add(
  `${dir}/src/application/queries/get-${entity}/get-${entity}.handler.ts`,
  `
import { Inject, Injectable } from '@nestjs/common';
import type { ${Entity} } from '../../../domain/${entity}.aggregate';
import { ${Entity}NotFoundError } from '../../../domain/${name}.errors';
import { ${CONST}_ITEM_REPOSITORY, type ${Entity}Repository } from '../../../domain/${entity}.repository';

@Injectable()
export class Get${Entity}Handler {
  constructor(@Inject(${CONST}_ITEM_REPOSITORY) private readonly items: ${Entity}Repository) {}

  async execute(id: string): Promise<${Entity}> {
    const item = await this.items.findById(id);
    if (!item) throw new ${Entity}NotFoundError(id);
    return item;
  }
}
`,
);

add(
  `${dir}/src/infrastructure/prisma/prisma.service.ts`,
  `
import { PrismaPg } from '@prisma/adapter-pg';
import { DatabaseClientModule, TRANSACTION_MAX_WAIT_MS } from '@storefront/persistence';
import { PrismaClient } from './generated/client';

/** This service's database client; the injection token too. Lifecycle and readiness: persistence. */
export class PrismaService extends PrismaClient {}

/** Prisma and SqlDatabase (@storefront/persistence, the consumers' transactions) on one pool. */
export function prismaModule(config: { DATABASE_URL: string; DATABASE_POOL_SIZE: number }) {
  return DatabaseClientModule.forRoot(PrismaService, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    create: (pool) => new PrismaService({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS } }),
  });
}
`,
);

add(
  `${dir}/src/infrastructure/prisma/${entity}.mapper.ts`,
  `
import { ${Entity}, type ${Entity}Status } from '../../domain/${entity}.aggregate';
import type { ${Entity} as ${Entity}Row } from './generated/client';

export function to${Entity}(row: ${Entity}Row): ${Entity} {
  return ${Entity}.restore({ ...row, status: row.status as ${Entity}Status });
}
`,
);

add(
  `${dir}/src/infrastructure/prisma/prisma-${entity}.repository.ts`,
  `
import { Injectable } from '@nestjs/common';
import { Outbox } from '@storefront/messaging';
import type { ${Entity} } from '../../domain/${entity}.aggregate';
import { ${Entity}ReferenceTakenError } from '../../domain/${name}.errors';
import type { ${Entity}Repository } from '../../domain/${entity}.repository';
import { toIntegrationEvent } from '../messaging/${name}-events.mapper';
import { to${Entity} } from './${entity}.mapper';
import { PrismaService } from './prisma.service';

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === 'P2002';

@Injectable()
export class Prisma${Entity}Repository implements ${Entity}Repository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
  ) {}

  async findById(id: string): Promise<${Entity} | null> {
    const row = await this.prisma.${entityCamel}.findUnique({ where: { id } });
    return row && to${Entity}(row);
  }

  async insert(item: ${Entity}): Promise<void> {
    try {
      // The row and the events announcing it commit together, or not at all.
      await this.prisma.$transaction(async (tx) => {
        await tx.${entityCamel}.create({ data: item.snapshot });
        await this.outbox.add(tx, ...item.pullEvents().map(toIntegrationEvent));
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ${Entity}ReferenceTakenError(item.snapshot.reference);
      throw error;
    }
  }
}
`,
);

add(
  `${dir}/src/infrastructure/messaging/${name}-events.mapper.ts`,
  `
import { type EventEnvelope, ${Entity}ClosedV1, ${createdEvent} } from '@storefront/contracts';
import { createEvent } from '@storefront/messaging';
import type { ${Entity}DomainEvent } from '../../domain/${entity}.domain-event';

/** Domain events → the integration events other services may consume (${name}.*.v1). */
export function toIntegrationEvent(event: ${Entity}DomainEvent): EventEnvelope {
  const common = { source: '${name}', aggregateId: event.item.id, occurredAt: event.occurredAt };
  const payload = { itemId: event.item.id, reference: event.item.reference };
  switch (event.kind) {
    case '${Entity}Created':
      return createEvent(${createdEvent}, { ...common, payload });
    case '${Entity}Closed':
      return createEvent(${Entity}ClosedV1, { ...common, payload });
  }
}
`,
);

add(
  `${dir}/src/interface/http/${entity}s.http.controller.ts`,
  `
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { Authenticated } from '@storefront/service-kit';
import { z } from 'zod';
import { Create${Entity}Handler } from '../../application/commands/create-${entity}/create-${entity}.handler';
import { Get${Entity}Handler } from '../../application/queries/get-${entity}/get-${entity}.handler';
import type { ${Entity} } from '../../domain/${entity}.aggregate';

const create${Entity}BodySchema = z.strictObject({ reference: z.string().min(1).max(64) });

function toDto(item: ${Entity}) {
  const { id, reference, status, createdAt, updatedAt } = item.snapshot;
  return { id, reference, status, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

/** ${Pascal} over HTTP, for admins. */
@Controller('${entity}s')
@Authenticated('admin')
export class ${Entity}sHttpController {
  constructor(
    private readonly create${Entity}: Create${Entity}Handler,
    private readonly get${Entity}: Get${Entity}Handler,
  ) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  async create(@Body({ schema: create${Entity}BodySchema }) body: z.output<typeof create${Entity}BodySchema>) {
    return toDto(await this.create${Entity}.execute(body));
  }

  @Get(':id')
  async get(@Param('id', { schema: z.uuid() }) id: string) {
    return toDto(await this.get${Entity}.execute(id));
  }
}
`,
);

add(
  `${dir}/test/${name}-app.ts`,
  `
import 'reflect-metadata';
import { join } from 'node:path';
import { ${STREAM} } from '@storefront/contracts';
import { type ServiceRequest, type ServiceUnderTest, startServiceUnderTest } from '@storefront/devstack/testing';
import { type ${Pascal}Config, ${camel}ConfigSchema } from '../src/config';
import { ${Pascal}Module } from '../src/${name}.module';
import { PrismaService } from '../src/infrastructure/prisma/prisma.service';

export interface ${Pascal}UnderTest {
  readonly app: ServiceUnderTest<${Pascal}Config>['app'];
  readonly prisma: PrismaService;
  readonly request: ServiceRequest;
  readonly service: ServiceUnderTest<${Pascal}Config>;
  /** Subjects of the messages in this run's ${CONST} stream, in stream order. */
  streamSubjects(): Promise<string[]>;
  close(): Promise<void>;
}

/** The real ${name} service, in this process, on a database and messaging namespace of its own. */
export async function start${Pascal}(): Promise<${Pascal}UnderTest> {
  const service = await startServiceUnderTest({
    serviceDir: join(__dirname, '..'),
    configSchema: ${camel}ConfigSchema,
    createModule: (config) => ${Pascal}Module.register(config),
  });
  return {
    app: service.app,
    prisma: service.app.get(PrismaService),
    request: service.request,
    service,
    streamSubjects: async () => (await service.streamMessages(${STREAM})).map((message) => message.subject),
    close: () => service.close(),
  };
}
`,
);

add(
  `${dir}/test/${name}-http.test.ts`,
  `
import { randomUUID } from 'node:crypto';
import { ${createdEvent} } from '@storefront/contracts';
import { waitFor } from '@storefront/testing';
import { type ${Pascal}UnderTest, start${Pascal} } from './${name}-app';

describe('${name} over HTTP', () => {
  let ${camel}: ${Pascal}UnderTest;

  beforeAll(async () => {
    ${camel} = await start${Pascal}();
  });

  afterAll(async () => {
    await ${camel}?.close();
  });

  it('creates an ${entity}, answers it back and announces it on the ${CONST} stream', async () => {
    const reference = \`REF-\${randomUUID().slice(0, 8)}\`;
    const created = await ${camel}.request('POST', '/${entity}s', { reference });
    expect(created).toMatchObject({ status: 201, body: { reference, status: 'open' } });
    const id = (created.body as { id: string }).id;

    await expect(${camel}.request('GET', \`/${entity}s/\${id}\`)).resolves.toMatchObject({ status: 200, body: { id, reference } });
    await waitFor(
      async () => (await ${camel}.service.published(${createdEvent})).some((event) => event.payload.itemId === id),
      { timeoutMs: 15_000, what: 'the created event on the stream' },
    );
  });

  it('refuses a bad body with 400 problem+json naming the field, and stores nothing', async () => {
    const before = await ${camel}.prisma.${entityCamel}.count();
    const answer = await ${camel}.request('POST', '/${entity}s', { reference: 'has space' });
    expect(answer).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json') });
    expect(JSON.stringify(answer.body)).toContain('reference');
    await expect(${camel}.prisma.${entityCamel}.count()).resolves.toBe(before);
    await expect(${camel}.prisma.outboxMessage.count({ where: { subject: { contains: 'created' } } })).resolves.toBe(before);
  });

  it('answers 409 for a reference that is taken and 404 for an unknown id', async () => {
    const reference = \`REF-\${randomUUID().slice(0, 8)}\`;
    expect((await ${camel}.request('POST', '/${entity}s', { reference })).status).toBe(201);
    await expect(${camel}.request('POST', '/${entity}s', { reference })).resolves.toMatchObject({ status: 409, body: { code: '${CONST}.REFERENCE_TAKEN' } });
    await expect(${camel}.request('GET', \`/${entity}s/\${randomUUID()}\`)).resolves.toMatchObject({ status: 404, body: { code: '${CONST}.ITEM_NOT_FOUND' } });
  });

  it('asks for a token, and for the admin role', async () => {
    expect((await ${camel}.request('GET', \`/${entity}s/\${randomUUID()}\`, undefined, undefined, null)).status).toBe(401);
  });

  it('reports ready with its database and NATS, and exposes metrics', async () => {
    await expect(${camel}.request('GET', '/health/ready', undefined, undefined, null)).resolves.toMatchObject({ status: 200 });
    const metrics = await fetch(\`\${${camel}.service.httpUrl}/metrics\`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_server_request_duration_seconds');
  });
});
`,
);

add(
  `${dir}/test/${name}-schema.test.ts`,
  `
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { type TestDatabase, createTestDatabase } from '@storefront/testing';
import { PrismaClient } from '../src/infrastructure/prisma/generated/client';

/** The hand-written migrations match the Prisma schema, and the database holds the rules on its own. */
describe('${name} migrations', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  const now = new Date();

  beforeAll(async () => {
    database = await createTestDatabase('${snake}_schema', join(__dirname, '..', 'prisma', 'migrations'));
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('reads and writes every column the Prisma schema declares', async () => {
    const row = { id: randomUUID(), reference: \`R-\${randomUUID()}\`.slice(0, 40), status: 'open', createdAt: now, updatedAt: now };
    await prisma.${entityCamel}.create({ data: row });
    await expect(prisma.${entityCamel}.findUnique({ where: { id: row.id } })).resolves.toEqual(row);
    await expect(prisma.outboxMessage.count()).resolves.toBe(0);
  });

  it('refuses an unknown status', async () => {
    const row = { id: randomUUID(), reference: \`R-\${randomUUID()}\`.slice(0, 40), status: 'lost', createdAt: now, updatedAt: now };
    await expect(prisma.${entityCamel}.create({ data: row })).rejects.toThrow(/${table}_status_check/);
  });
});
`,
);

// The contract: its stream and events, beside each other.
const contractFile = `libs/contracts/src/events/${name}.events.ts`;
add(
  contractFile,
  `
import { z } from 'zod';
import { defineEvent } from './event-definition';
import type { StreamDefinition } from './streams';

/** The stream of the ${name} domain; every event below is stored in it. */
export const ${STREAM}: StreamDefinition = { name: '${CONST}', domain: '${name}', description: '${Pascal} items (generated)' };

const itemPayload = z.object({ itemId: z.uuid(), reference: z.string() });

export const ${createdEvent} = defineEvent({
  stream: ${STREAM},
  subject: '${subject}',
  producer: '${name}',
  description: 'An ${entity} was created.',
  payload: itemPayload,
});

export const ${Entity}ClosedV1 = defineEvent({
  stream: ${STREAM},
  subject: '${name}.${entity}-closed.v1',
  producer: '${name}',
  description: 'An ${entity} was closed.',
  payload: itemPayload,
});
`,
);

function edit(path, change) {
  const before = edits.get(path) ?? readFileSync(join(ROOT, path), 'utf8');
  const after = change(before);
  if (after === before) fail(`could not edit ${path}: the place to add ${name} was not found`);
  edits.set(path, after);
}
function insertBefore(marker, text) {
  return (source) => (source.includes(marker) ? source.replace(marker, `${text}${marker}`) : source);
}

// The one contracts edit: the registry lists every event (its stream, defined beside the events,
// joins STREAMS from there).
edit('libs/contracts/src/events/registry.ts', (source) =>
  source
    .replace(
      "import type { EventDefinition } from './event-definition';",
      `import type { EventDefinition } from './event-definition';\nimport { ${Entity}ClosedV1, ${createdEvent} } from './${name}.events';`,
    )
    .replace(/(export const INTEGRATION_EVENTS[^=]*= \[[^\]]*?)(\n\];)/, `$1\n  ${createdEvent},\n  ${Entity}ClosedV1,$2`)
    .concat(`export * from './${name}.events';\n`),
);

// Kubernetes base: its own folder. The services ApplicationSet finds the folder (a git directory
// generator); no Istio policy, as nothing calls the service yet (allow-nothing); it stays a plain
// Deployment in the mesh until it asks for canaries (storefront.dev/delivery, DEVELOPERS.md).
const base = `deploy/k8s/base/${name}`;
add(`${base}/config.env`, `# ${name}: generated by pnpm gen:service; service-specific settings go here.\n`);
add(
  `${base}/kustomization.yaml`,
  readFileSync(join(ROOT, 'deploy/k8s/base/payment/kustomization.yaml'), 'utf8')
    .replace(
      '# payment: authorizes, captures and voids payments against the simulated provider.',
      `# ${name}: generated by pnpm gen:service.`,
    )
    // payment's opt-ins (canary delivery, called by the gateway) are not the new service's yet.
    .replace(/, storefront\.dev\/delivery: canary\}/, '}')
    .replace(
      / {2}# The gateway calls its HTTP API[^\n]*\n {2}- pairs: \{storefront\.dev\/called-by: gateway-http\}\n {4}includeTemplates: true\n/,
      '',
    )
    .replace('  - ../service\n', '  - ../service\n  - network-policy.yaml\n')
    .replaceAll('payment-db-app', `${name}-db-app`)
    .replaceAll('payment-migrate', `${name}-migrate`)
    .replaceAll('storefront/payment', `storefront/${name}`)
    .replaceAll('"payment"', `"${name}"`)
    .replaceAll('{app.kubernetes.io/name: payment}', `{app.kubernetes.io/name: ${name}}`)
    .replaceAll('the payment-db Cluster', `the ${name}-db Cluster`),
);
add(
  `${base}/network-policy.yaml`,
  `
# ${name}'s pods and its migration Job: nothing calls it yet; it reaches its own database (NATS and
# DNS: base/network-policies.yaml). Peers are matchExpressions, which the name label of this folder's
# kustomization leaves alone (it would add itself to matchLabels).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
spec:
  podSelector:
    matchLabels: {app.kubernetes.io/name: ${name}}
  policyTypes: [Ingress, Egress]
  egress:
    - to:
        - podSelector:
            matchExpressions:
              - {key: cnpg.io/cluster, operator: In, values: [${name}-db]}
      ports:
        - {protocol: TCP, port: 5432}
`,
);
// Its database: a CloudNativePG Cluster named ${name}-db from the shared template, in a kustomization
// of its own (so the service's tier label stays off it: the data Application deploys it first).
add(
  `${base}/database/kustomization.yaml`,
  readFileSync(join(ROOT, 'deploy/k8s/base/payment/database/kustomization.yaml'), 'utf8')
    .replaceAll('payment-db', `${name}-db`)
    .replace('{database: payment, owner: payment}', `{database: ${snake}, owner: ${snake}}`)
    .replaceAll('payment', name),
);
edit('deploy/k8s/base/kustomization.yaml', insertBefore('labels:\n', `  - ${name}\n  - ${name}/database\n`));

// Written by the tools it runs afterwards: new files, and the lockfile (pnpm install).
const generatedLater = [
  `${dir}/src/infrastructure/prisma/generated/ (prisma generate)`,
  `libs/contracts/events-baseline/${subject}.json (events:record)`,
  `libs/contracts/events-baseline/${name}.${entity}-closed.v1.json (events:record)`,
  `libs/contracts/asyncapi/${name}.json (events:record)`,
];
const editedLater = skipInstall ? [] : ['pnpm-lock.yaml (pnpm install: the new workspace package)'];

if (dryRun) {
  process.stdout.write(`gen:service ${name} would write:\n`);
  for (const path of files.keys()) process.stdout.write(`  + ${path}\n`);
  for (const line of generatedLater) process.stdout.write(`  + ${line}\n`);
  process.stdout.write(`and edit ${edits.size + editedLater.length} files:\n`);
  for (const path of edits.keys()) process.stdout.write(`  ~ ${path}\n`);
  for (const line of editedLater) process.stdout.write(`  ~ ${line}\n`);
  process.exit(0);
}

for (const [path, content] of files) {
  mkdirSync(dirname(join(ROOT, path)), { recursive: true });
  writeFileSync(join(ROOT, path), content);
}
for (const [path, content] of edits) writeFileSync(join(ROOT, path), content);
process.stdout.write(`gen:service: wrote ${files.size} files and edited ${edits.size}\n`);

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath };
const step = (what, command, commandArgs, cwd = ROOT) => {
  process.stdout.write(`gen:service: ${what}\n`);
  execFileSync(command, commandArgs, { cwd, env, stdio: 'inherit' });
};
// Only the install goes through pnpm; the rest runs the installed tools directly, so a copy of the
// repository that links another checkout's packages (the generator's test) never makes pnpm relink them.
if (!skipInstall) step('linking the new package (pnpm install)', 'pnpm', ['install', '--prefer-offline', '--reporter=append-only']);
step(
  'generating its Prisma client',
  process.execPath,
  [join(ROOT, dir, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'],
  join(ROOT, dir),
);
step(
  'building the contracts',
  process.execPath,
  [
    join(ROOT, 'node_modules', '@swc', 'cli', 'bin', 'swc.js'),
    'src',
    '-d',
    'dist',
    '--strip-leading-paths',
    '--config-file',
    '../../.swcrc',
    '--quiet',
  ],
  join(ROOT, 'libs', 'contracts'),
);
step(
  'recording the event baselines and its AsyncAPI document',
  process.execPath,
  ['dist/events/record-baselines.js'],
  join(ROOT, 'libs', 'contracts'),
);
// In the repository's format (pnpm format:check is a step of npm test).
const prettier = join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
if (existsSync(prettier)) {
  step('formatting what it wrote', process.execPath, [
    prettier,
    '--write',
    '--log-level=warn',
    ...[...files.keys(), ...edits.keys()].filter((path) => /\.(ts|json|mjs)$/.test(path)),
  ]);
}
process.stdout.write(`gen:service: done. Next: pnpm jest services/${name}; then replace the sample ${Entity} with your domain.\n`);
