import { Injectable } from '@nestjs/common';
import type { Transaction, UnitOfWork } from '@storefront/ddd';
import type { SqlTransaction } from '@storefront/messaging';
import { clientOf, asTransaction as toTransaction } from '@storefront/persistence';
import type { Prisma } from './generated/client';
import { PrismaService } from './prisma.service';

/**
 * Every Transaction of this service is a Prisma interactive transaction: either one this unit of
 * work opened, or the one the messaging library opened for a consumer (it runs consumers in
 * PrismaService.$transaction and types the client as SqlTransaction).
 */
export function asTransaction(tx: Prisma.TransactionClient | SqlTransaction): Transaction {
  return toTransaction(tx);
}

/** The Prisma client inside a Transaction, for repositories. */
export function prismaOf(tx: Transaction): Prisma.TransactionClient {
  return clientOf<Prisma.TransactionClient>(tx);
}

@Injectable()
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(asTransaction(tx)));
  }
}
