/*
 * The order saga and the outbox/inbox protocol, for the SPIN model checker.
 * docs/model/README.md explains the model, its properties, how to run it and how to read a trail.
 *
 * One order of one unit against one SKU that holds 0 or 1 unit. Three services (order, inventory,
 * payment) and the payment provider, joined by transactional outboxes, a broker and idempotent
 * consumers. The broker loses, duplicates and reorders messages within budgets; payment crashes
 * between a provider call and its commit, or gives up on a call the provider answers later; retry
 * timers fire early. Each step names the code it mirrors (file, class and method).
 *
 * Without options it is the code as it is. Options (spin -D...):
 *   BUG_*                    a defect: one the code had (regression cases of issue 11), or one
 *                            planted to show the checker bites (README, "Defects")
 *   LOSS, DUP, CRASH, EARLY  fault budgets (1 each by default)
 */

#ifndef LOSS
#define LOSS 1   /* messages lost for good: a dead letter discarded by hand, or a stream's data lost */
#endif
#ifndef DUP
#define DUP 1    /* extra deliveries: relay crash before marking sent, consumer crash before ack */
#endif
#ifndef CRASH
#define CRASH 1  /* payment dies (or gives up on the provider) after, or while, the provider acts */
#endif
#ifndef EARLY
#define EARLY 1  /* saga retries fired while the step's messages are still on their way */
#endif

#define QTY 1
#define MAXCOPIES (1 + DUP)
#ifndef NSLOTS
#define NSLOTS 6 /* messages in flight at once; send() asserts that this is enough */
#endif
#if NSLOTS == 6
#define FOR_SLOTS(X, P) X(0, P) X(1, P) X(2, P) X(3, P) X(4, P) X(5, P)
#elif NSLOTS == 7
#define FOR_SLOTS(X, P) X(0, P) X(1, P) X(2, P) X(3, P) X(4, P) X(5, P) X(6, P)
#elif NSLOTS == 8
#define FOR_SLOTS(X, P) X(0, P) X(1, P) X(2, P) X(3, P) X(4, P) X(5, P) X(6, P) X(7, P)
#endif
#define OR_(s, P) || P(s)
#define AND_(s, P) && P(s)
#define PICK_(s, P) :: P(s) -> cur = s
#define ANY(P) (false FOR_SLOTS(OR_, P))      /* some slot satisfies P */
#define ALL(P) (true FOR_SLOTS(AND_, P))      /* every slot satisfies P */
#define PICK(P) if FOR_SLOTS(PICK_, P) fi     /* cur = any slot that satisfies P */

/* Messages: the saga's commands and the replies it consumes (libs/contracts/src/events/). */
mtype = {
  ReserveStock, CommitReservation, ReleaseReservation,   /* inventory.reserve-stock.v1, ... */
  AuthorizePayment, CapturePayment, VoidPayment,          /* payment.authorize-payment.v1, ... */
  StockReserved, StockReservationFailed,                  /* inventory.stock-reserved.v1, ... */
  ReservationCommitted, ReservationCommitFailed,          /* inventory.reservation-committed.v1, ...-commit-failed.v1 */
  PaymentAuthorized, PaymentFailed, PaymentCaptured,      /* payment.authorized.v1, ... */
  PaymentVoided                                           /* payment.voided.v1 */
};
/* OrderStatus (services/order/src/domain/order-status.value-object.ts) */
mtype = { placed, stock_reserved, payment_authorized, confirmed, cancelled, rejected };
/* ReservationStatus (services/inventory/src/domain/reservation.aggregate.ts); a tombstone is RELEASED without lines */
mtype = { NO_RESERVATION, RESERVED, COMMITTED, RELEASED, RELEASED_TOMBSTONE };
/* PaymentStatus (services/payment/src/domain/payment.aggregate.ts). VOIDED_UNAUTHORIZED is VOIDED with
   Payment.isVoidedBeforeAuthorization: the tombstone of a void that found no row, or a voided PENDING intent. */
mtype = { NO_PAYMENT, PENDING, AUTHORIZED, CAPTURED, VOIDED, VOIDED_UNAUTHORIZED, FAILED };
/* The provider's record of the payment's idempotency key (SimulatedPaymentProvider, ProviderLedger):
   prov_cancelled is a void that came before any authorization with the key. */
mtype = { prov_none, prov_held, prov_declined, prov_captured, prov_voided, prov_cancelled };

/* What the databases and the provider hold. */
mtype order = placed;               /* order: orders.status */
bit voidPending;                    /* order: a cancelled order's stepDeadlineAt, set until payment.voided */
mtype reservation = NO_RESERVATION; /* inventory: reservations.status */
short available, reserved, sold;    /* inventory: the SKU's stock row (short: a bug may go below 0) */
byte initialStock;
mtype payment = NO_PAYMENT;         /* payment: payments.status */
mtype provider = prov_none;         /* the provider's record of the payment's key */
bit late;                           /* an authorization payment gave up on, still on its way to the provider */
byte charges;                       /* times the provider took the money */
bit poisoned;                       /* a handler threw on a message: dead-lettered, or retried for ever */

/*
 * A message: its outbox row and its copies at the broker. pending: the outbox row is not marked
 * sent; copies: deliveries the broker still holds; done: the consumer's inbox holds the event id.
 * A slot is freed once no copy can come back, since then its inbox row can never match again.
 */
typedef Message { mtype type; bit pending; byte copies; bit done };
Message slot[NSLOTS];

byte lose = LOSS, dup = DUP, crash = CRASH, early = EARLY;  /* fault budgets left */

/* The step in progress. Every step ends with them at 0, so they add no states. (Not `hidden`: the
   search backtracks into a step, to a crash or not, and must find them as they were.) */
byte cur;                /* the slot being worked on */
mtype msg;               /* its message type */
bit rolledBack;          /* the handler's transaction did not commit: the message comes again */
bit refused;             /* the handler threw a DomainError: retried, then dead-lettered */
bit failed;              /* the handler threw another error: retried for ever */
byte i, j, k;            /* scratch */

#define FREE(s) (slot[s].type == 0)
#define final (order == confirmed || order == cancelled || order == rejected)
#define idle ALL(FREE)
/* Nothing will change any more: the order ended, each message was handled or lost, no stock is
   held, no void awaits its confirmation. (A late provider call may still land: the properties must
   hold whenever it does.) */
#define settled (final && idle && reservation != RESERVED && !voidPending)

/* ------------------------------------------------------------------------------------------------
 * Properties: README.md, "Properties"
 */
ltl settles { <> [] settled }
ltl captured_once { [] (charges <= 1) }
ltl captured_iff_confirmed { [] (settled -> ((provider == prov_captured) <-> (order == confirmed))) }
ltl sold_iff_confirmed { [] (settled -> ((order == confirmed && sold == QTY) || (order != confirmed && sold == 0))) }
ltl cancelled_clean {
  [] ((settled && (order == cancelled || order == rejected)) ->
      (provider != prov_held && payment != AUTHORIZED && payment != PENDING && reservation != COMMITTED && reserved == 0))
}
ltl stock_conserved { [] (available >= 0 && reserved >= 0 && sold >= 0 && available + reserved + sold == initialStock) }
ltl no_poison { [] !poisoned }
/* Vacuity checks: each claims that an outcome never happens, and SPIN must find a run where it does;
   otherwise the model lost that path and the properties above would hold for nothing. */
ltl vacuity_confirmed { [] (order != confirmed) }
ltl vacuity_cancelled { [] (order != cancelled) }
ltl vacuity_rejected { [] (order != rejected) }

/* ------------------------------------------------------------------------------------------------
 * Outbox, broker, inbox: libs/messaging/src
 */

/* Outbox.add (outbox.ts): a row written in the transaction of the change. */
inline send(t) {
  k = 0;
  do
  :: slot[k].type == 0 -> break
  :: else -> k++; assert(k < NSLOTS) /* model bound: raise NSLOTS */
  od;
  slot[k].type = t; slot[k].pending = 1; slot[k].done = 0;
  k = 0
}

/* JsMsg.ack / term (event-consumer.ts): the broker forgets one copy. */
inline ack(s) {
  slot[s].copies--;
  if
  :: slot[s].copies == 0 && !slot[s].pending -> slot[s].type = 0; slot[s].done = 0
  :: else
  fi
}

/* Model bookkeeping, no code: keep the slots sorted (free ones last), so the same messages in
   other slots are one state. */
#define KEY(s) (slot[s].type * 16 + slot[s].pending * 8 + slot[s].copies * 2 + slot[s].done)
inline swap(a, b) {
  k = slot[a].type; slot[a].type = slot[b].type; slot[b].type = k;
  k = slot[a].pending; slot[a].pending = slot[b].pending; slot[b].pending = k;
  k = slot[a].copies; slot[a].copies = slot[b].copies; slot[b].copies = k;
  k = slot[a].done; slot[a].done = slot[b].done; slot[b].done = k
}
inline canon() {
  d_step {
    cur = 0; msg = 0; i = 0;
    do
    :: i < NSLOTS - 1 ->
       j = 0;
       do
       :: j < NSLOTS - 1 - i -> if :: KEY(j) < KEY(j + 1) -> swap(j, j + 1) :: else fi; j++
       :: else -> break
       od;
       i++
    :: else -> break
    od;
    i = 0; j = 0; k = 0
  }
}

/* EventConsumer.process (event-consumer.ts): the inbox row (consumer, event id) is inserted in the
   handler's transaction; no row inserted means a duplicate, acknowledged without effect. */
#ifdef BUG_NO_INBOX
#define INBOX_HAS(s) false   /* seeded: a duplicate is applied again */
#else
#define INBOX_HAS(s) slot[s].done
#endif

/* EventConsumer.process after the handler (classifyFailure, libs/service-kit): a DomainError is
   refused, retried and dead-lettered after CONSUMER_MAX_DELIVER refusals; any other error is retried
   for as long as it takes (an outage: no fault, and no state changes meanwhile; a bug: for ever);
   a rollback (crash) redelivers; a commit acks, unless the process dies first (then redelivered, and
   the inbox turns the copy away). */
inline handled(s) {
  if
  :: refused -> refused = 0; poisoned = 1; ack(s); printf("refused: dead-lettered\n")
  :: failed -> failed = 0; rolledBack = 0; poisoned = 1; printf("handler failed: retried for ever\n")
  :: !refused && !failed && rolledBack -> rolledBack = 0
  :: else ->
     slot[s].done = 1;
     if
     :: ack(s)
     :: dup > 0 -> dup--; printf("consumer crashed before ack: redelivered\n")
     fi
  fi
}

/* OutboxRelay.publishBatch (outbox-relay.ts): publish with Nats-Msg-Id = event id, then mark the row
   sent; a crash in between publishes it again. Rows may overtake each other (a failed publish is
   retried later). */
#define PUBLISHABLE(s) (slot[s].pending && slot[s].copies < MAXCOPIES)
proctype OutboxRelay() {
end:
  do
  :: atomic {
       ANY(PUBLISHABLE) -> PICK(PUBLISHABLE);
       slot[cur].copies++;
       if
       :: slot[cur].pending = 0
       :: dup > 0 -> dup--; printf("relay crashed after publishing, before marking sent\n")
       fi;
       canon()
     }
  od
}

/* The broker loses a message for good (a dead letter discarded by hand, a lost stream). Otherwise it
   delivers in any order: redeliveries overtake, and each stream is consumed on its own. */
#define IN_FLIGHT(s) (slot[s].copies > 0)
proctype Broker() {
end:
  do
  :: atomic { lose > 0 && ANY(IN_FLIGHT) -> PICK(IN_FLIGHT); lose--; printf("lost "); printm(slot[cur].type); printf("\n"); ack(cur); canon() }
  od
}

/* ------------------------------------------------------------------------------------------------
 * order: the Order aggregate (services/order/src/domain/order.aggregate.ts) applied by
 * OrderSagaHandler (services/order/src/application/saga/order-saga.handler.ts) under the order's
 * row lock (PrismaOrderRepository.update); its events become commands in toMessages
 * (services/order/src/infrastructure/messaging/order-events.mapper.ts).
 */

/* VoidPayment, with the deadline (stepDeadlineAt) after which a cancelled order sends it again:
   Order.cancelWith with voidPayment, Order.paymentAuthorized on a cancelled order (LatePaymentVoided). */
inline voidPayment() {
  send(VoidPayment);
#ifndef BUG_VOID_NOT_RETRIED
  voidPending = 1
#endif
}

/* Order.cancelWith → OrderCancelled → ReleaseReservation (+ VoidPayment) */
inline cancelOrder(withVoid) {
  order = cancelled;
  send(ReleaseReservation);
#ifdef BUG_CANCEL_WITHOUT_VOID
  skip   /* seeded: a cancelled order does not void its payment */
#else
  if
  :: withVoid -> voidPayment()
  :: else
  fi
#endif
}

/* CommitRequested → CommitReservation: after the authorization, and again on the step's timeout. */
inline requestCommit() {
#ifdef BUG_LATE_COMMIT_IGNORED
  send(CapturePayment); send(CommitReservation)   /* the code before 784d230: capture and commit at once */
#else
  send(CommitReservation)
#endif
}

inline orderHandles(t) {
  printf("order <- "); printm(t); printf("\n");
  if
  :: t == StockReserved ->                         /* Order.stockReserved */
     if
     :: order == placed -> order = stock_reserved; send(AuthorizePayment)      /* PaymentRequested */
     :: order == cancelled || order == rejected -> send(ReleaseReservation)    /* LateReservationReleased */
     :: else -> skip                                                           /* the same reply again */
     fi
  :: t == StockReservationFailed ->                /* Order.stockReservationFailed */
     if
     :: order == placed -> order = rejected
     :: final -> skip
     :: else -> refused = 1                                                    /* IllegalOrderTransitionError */
     fi
  :: t == PaymentAuthorized ->                     /* Order.paymentAuthorized */
     if
     :: order == stock_reserved -> order = payment_authorized; requestCommit()
     :: order == cancelled -> voidPayment()                                    /* LatePaymentVoided */
     :: order == payment_authorized || order == confirmed -> skip              /* the same reply again */
     :: else -> refused = 1
     fi
  :: t == PaymentFailed ->                         /* Order.paymentFailed */
     if
     :: order == stock_reserved -> cancelOrder(0)
     :: order == cancelled -> skip
     :: else -> refused = 1
     fi
  :: t == ReservationCommitted ->                  /* Order.stockCommitted: the units are sold, take the money */
     if
#ifdef BUG_CONFIRM_ON_COMMIT
     :: order == payment_authorized -> order = confirmed; send(CapturePayment)   /* seeded: confirms before the money */
#else
     :: order == payment_authorized -> send(CapturePayment)                      /* CaptureRequested, also for a repeat */
#endif
     :: order == confirmed -> skip
     :: else -> refused = 1
     fi
  :: t == ReservationCommitFailed ->               /* Order.stockCommitFailed: the reservation ended first */
     if
     :: order == payment_authorized -> order = cancelled; voidPayment()         /* nothing to release */
     :: order == cancelled -> skip
     :: else -> refused = 1
     fi
  :: t == PaymentCaptured ->                       /* Order.paymentCaptured: the pivot */
     if
     :: order == payment_authorized -> order = confirmed
#ifdef BUG_CONFIRMED_REFUSES_CAPTURE_REPLY
     :: order == confirmed -> refused = 1          /* the code before 784d230: IllegalOrderTransitionError */
#else
     :: order == confirmed -> skip                 /* the reply to a repeated capture */
#endif
     :: else -> refused = 1
     fi
  :: t == PaymentVoided ->                         /* Order.paymentVoided: stop sending the void */
     if
     :: order == cancelled -> voidPending = 0
     :: else -> refused = 1
     fi
  fi
}

/* SagaRepliesConsumer (services/order/src/interface/messaging/saga-replies.consumer.ts) */
#define FOR_ORDER(s) (slot[s].copies > 0 && \
  (slot[s].type == StockReserved || slot[s].type == StockReservationFailed || slot[s].type == PaymentAuthorized || \
   slot[s].type == PaymentFailed || slot[s].type == PaymentCaptured || slot[s].type == ReservationCommitted || \
   slot[s].type == ReservationCommitFailed || slot[s].type == PaymentVoided))
proctype OrderSagaConsumer() {
end:
  do
  :: atomic {
       ANY(FOR_ORDER) -> PICK(FOR_ORDER);
       if
       :: INBOX_HAS(cur) -> ack(cur)
       :: else -> msg = slot[cur].type; orderHandles(msg); handled(cur)
       fi;
       canon()
     }
  od
}

/* SagaTimeoutScheduler → OrderSagaHandler.timeOutDueSteps → Order.timeOut. A deadline before the
   authorization may pass at any time and compensates. Past it the step is asked again: the retry
   fires once its step has gone quiet (nothing in flight), or earlier within the EARLY budget. */
#define retryDue (idle || early > 0)
inline retry() {
  if
  :: !idle -> early--; printf("retry fired early\n")
  :: else
  fi
}

proctype SagaTimeouts() {
end:
  do
  :: atomic { order == placed -> printf("order times out in placed\n"); cancelOrder(0); canon() }
  :: atomic { order == stock_reserved -> printf("order times out in stock_reserved\n"); cancelOrder(1); canon() }
#ifndef BUG_TIMEOUT_GIVES_UP
  :: atomic { order == payment_authorized && retryDue -> retry(); printf("order asks for the commit again\n"); requestCommit(); canon() }
#endif
  :: atomic { order == cancelled && voidPending && retryDue -> retry(); printf("order sends its void again\n"); send(VoidPayment); canon() }  /* VoidRequested */
  od
}

/* CancelOrderHandler.execute → Order.cancel (services/order/src/application/commands/cancel-order/) */
proctype Customer() {
end:
  do
  :: atomic { order == placed -> printf("customer cancels\n"); cancelOrder(0); canon() }
  :: atomic { order == stock_reserved -> printf("customer cancels\n"); cancelOrder(1); canon() }
  od
}

/* ------------------------------------------------------------------------------------------------
 * inventory: the command handlers in services/inventory/src/application/commands/, run by
 * InventoryCommandsConsumer in the transaction of the inbox row, and the Reservation aggregate;
 * counters as PrismaStockRepository moves them.
 */

/* ReleaseReservationHandler.releaseHeld → Reservation.release, PrismaStockRepository.release */
inline releaseHeld() {
  reservation = RELEASED; reserved = reserved - QTY; available = available + QTY
}

inline inventoryHandles(t) {
  printf("inventory <- "); printm(t); printf("\n");
  if
  :: t == ReserveStock ->                          /* ReserveStockHandler.execute */
     if
     :: reservation == NO_RESERVATION && available >= QTY ->
        available = available - QTY; reserved = reserved + QTY; reservation = RESERVED; send(StockReserved)
     :: reservation == NO_RESERVATION && available < QTY -> send(StockReservationFailed)   /* no row */
     /* Reservation.answerReservationAgain */
     :: reservation == RESERVED || reservation == COMMITTED -> send(StockReserved)
     :: reservation == RELEASED || reservation == RELEASED_TOMBSTONE -> send(StockReservationFailed)   /* order_released */
     fi
  :: t == CommitReservation ->                     /* CommitReservationHandler.execute, Reservation.commit */
     if
     :: reservation == RESERVED ->
        reservation = COMMITTED; reserved = reserved - QTY; sold = sold + QTY;
#ifdef BUG_LATE_COMMIT_IGNORED
        skip
     :: else -> printf("inventory ignores the commit: the reservation is not RESERVED\n")   /* the code before 2ac1190 */
#else
        send(ReservationCommitted)
     :: reservation == COMMITTED -> send(ReservationCommitted)              /* a repeat is answered again */
     :: else -> send(ReservationCommitFailed)                               /* released, expired, or none */
#endif
     fi
  :: t == ReleaseReservation ->                    /* ReleaseReservationHandler.execute */
     if
     :: reservation == NO_RESERVATION -> reservation = RELEASED_TOMBSTONE    /* Reservation.tombstone */
#ifdef BUG_RELEASE_UNGUARDED
     :: reservation != NO_RESERVATION -> releaseHeld()   /* seeded: gives the units back whatever the status */
#else
     :: reservation == RESERVED -> releaseHeld()
     :: else -> skip                                     /* committed (logged), or released before */
#endif
     fi
  fi
}

/* InventoryCommandsConsumer (services/inventory/src/interface/messaging/inventory-commands.consumer.ts) */
#define FOR_INVENTORY(s) (slot[s].copies > 0 && \
  (slot[s].type == ReserveStock || slot[s].type == CommitReservation || slot[s].type == ReleaseReservation))
proctype InventoryConsumer() {
end:
  do
  :: atomic {
       ANY(FOR_INVENTORY) -> PICK(FOR_INVENTORY);
       if
       :: INBOX_HAS(cur) -> ack(cur)
       :: else -> msg = slot[cur].type; inventoryHandles(msg); handled(cur)
       fi;
       canon()
     }
  od
}

/* ReservationExpiryScheduler → ExpireReservationsHandler.execute: the TTL may run out at any time. */
proctype ReservationExpiry() {
end:
  do
  :: atomic { reservation == RESERVED -> printf("reservation expires\n"); releaseHeld() }
  od
}

/* ------------------------------------------------------------------------------------------------
 * payment: the command handlers in services/payment/src/application/commands/ and the Payment
 * aggregate, run by PaymentCommandsConsumer in the transaction of the inbox row, under the order's
 * advisory lock (PrismaPaymentRepository.lockByOrderId). The provider calls sit inside that
 * transaction: a crash after one keeps the provider's effect and rolls ours back.
 */

/* The process dies, or the provider's answer times out, after the provider acted. */
inline mayCrash() {
  if
  :: crash > 0 -> crash--; rolledBack = 1; printf("payment crashed after the provider call\n")
  :: true
  fi
}

/* The provider (PaymentProvider, SimulatedPaymentProvider over its ProviderLedger) keys every call
   on the payment's idempotency key: a repeated call has the effect of one, and answers as the first. */
inline providerAuthorize() {
  if
  :: provider == prov_none -> if :: provider = prov_held :: provider = prov_declined fi
  :: else
  fi
}
#define APPROVED (provider == prov_held || provider == prov_captured || provider == prov_voided)
inline providerCapture() {
  if
  :: provider == prov_held -> provider = prov_captured; charges++
#ifdef BUG_PROVIDER_KEY_PER_CALL
  :: provider == prov_captured -> charges++   /* seeded: a new idempotency key per call */
#else
  :: provider == prov_captured -> skip
#endif
  :: else -> failed = 1                       /* ProviderRefusedError */
  fi
}
inline providerVoid() {
  if
  :: provider == prov_held -> provider = prov_voided
#ifdef BUG_PROVIDER_FORGETS_VOID
  :: provider == prov_none -> skip            /* seeded: a later authorization with the key is made */
#else
  :: provider == prov_none -> provider = prov_cancelled   /* a later authorization with the key is declined */
#endif
  :: provider == prov_captured -> failed = 1  /* ProviderRefusedError */
  :: else -> skip
  fi
}

/* Payment.decide: the provider's answer, with its reply. */
inline decide() {
  if
  :: APPROVED -> payment = AUTHORIZED; send(PaymentAuthorized)
  :: else -> payment = FAILED; send(PaymentFailed)
  fi
}

/* AuthorizePaymentHandler.execute for an order whose payment is PENDING: ask the provider with the key. */
inline authorizePending() {
  if
  :: providerAuthorize(); mayCrash(); if :: !rolledBack -> decide() :: else fi
  :: crash > 0 ->                             /* the call timed out with the request on its way */
     crash--; late = 1; rolledBack = 1; printf("payment gave up on the provider call\n")
  fi
}

inline paymentHandles(t) {
  printf("payment <- "); printm(t); printf("\n");
  if
  :: t == AuthorizePayment ->                      /* AuthorizePaymentHandler.execute */
     if
     :: payment == NO_PAYMENT ->
#ifdef BUG_AUTHORIZE_WITHOUT_INTENT
        /* the code before a8fbed8: the provider is asked before anything is stored */
        providerAuthorize(); mayCrash(); if :: !rolledBack -> decide() :: else fi
#else
        payment = PENDING;                         /* recordIntent: committed before the call, kept on rollback */
        if
        :: authorizePending()
        :: rolledBack = 1; printf("the provider is unavailable: the intent stays, the command comes again\n")
        fi
#endif
     :: payment == PENDING -> authorizePending()   /* an earlier delivery failed after the intent */
     /* Payment.answerAuthorizationAgain */
     :: payment == AUTHORIZED || payment == CAPTURED || payment == VOIDED -> send(PaymentAuthorized)
     :: payment == FAILED -> send(PaymentFailed)                                 /* declined */
     :: payment == VOIDED_UNAUTHORIZED -> send(PaymentFailed)                    /* AuthorizationRefused: order_voided */
     fi
  :: t == CapturePayment ->                        /* CapturePaymentHandler.execute, Payment.capture */
     if
     :: payment == AUTHORIZED ->
        providerCapture();
        if
        :: failed -> skip
        :: else -> mayCrash(); if :: !rolledBack -> payment = CAPTURED; send(PaymentCaptured) :: else fi
        fi
#ifdef BUG_CAPTURE_NO_REPLY
     :: payment == CAPTURED -> printf("payment ignores the capture: already CAPTURED, no reply\n")   /* the code before a8fbed8 */
#else
     :: payment == CAPTURED -> send(PaymentCaptured)          /* a repeat is answered again */
#endif
     :: else -> skip                               /* no payment, PENDING, voided or failed: logged */
     fi
  :: t == VoidPayment ->                           /* VoidPaymentHandler.execute, Payment.void */
     if
     :: payment == NO_PAYMENT -> payment = VOIDED_UNAUTHORIZED; send(PaymentVoided)   /* Payment.voidBeforeAuthorization: no key, no call */
     :: payment == AUTHORIZED || payment == PENDING ->
#ifdef BUG_PENDING_VOID_SKIPS_PROVIDER
        if :: payment == AUTHORIZED -> providerVoid() :: else fi;   /* seeded: a PENDING intent voided here only */
#else
        providerVoid();                            /* by the payment's key, whatever the provider decided */
#endif
        if
        :: failed -> skip
        :: else ->
           mayCrash();
           if
           :: !rolledBack && payment == PENDING -> payment = VOIDED_UNAUTHORIZED; send(PaymentVoided)
           :: !rolledBack && payment == AUTHORIZED -> payment = VOIDED; send(PaymentVoided)
           :: else
           fi
        fi
     :: payment == VOIDED || payment == VOIDED_UNAUTHORIZED -> send(PaymentVoided)   /* a repeat is answered again */
#ifdef BUG_DECLINED_VOID_UNANSWERED
     :: payment == FAILED -> printf("payment ignores the void: the payment was declined\n")   /* the code before f9abf1b */
#else
     :: payment == FAILED -> send(PaymentVoided)   /* NothingToVoid: answered, so the saga stops asking */
#endif
     :: payment == CAPTURED -> skip                /* logged */
     fi
  fi
}

/* PaymentCommandsConsumer (services/payment/src/interface/messaging/payment-commands.consumer.ts) */
#define FOR_PAYMENT(s) (slot[s].copies > 0 && \
  (slot[s].type == AuthorizePayment || slot[s].type == CapturePayment || slot[s].type == VoidPayment))
proctype PaymentConsumer() {
end:
  do
  :: atomic {
       ANY(FOR_PAYMENT) -> PICK(FOR_PAYMENT);
       if
       :: INBOX_HAS(cur) -> ack(cur)
       :: else -> msg = slot[cur].type; paymentHandles(msg); handled(cur)
       fi;
       canon()
     }
  od
}

/* The provider acts on an authorization payment gave up on (its request was on its way), at any time
   after, or never. */
proctype Provider() {
end:
  do
  :: atomic { late -> late = 0; printf("the provider acts on the authorization late\n"); providerAuthorize() }
  od
}

/* ------------------------------------------------------------------------------------------------ */

init {
  atomic {
    if :: initialStock = 0 :: initialStock = QTY fi;   /* CreateStockHandler / RestockHandler */
    available = initialStock;
    send(ReserveStock);   /* PlaceOrderHandler.execute: the order and its ReserveStock, one transaction */
    run OutboxRelay(); run Broker();
    run OrderSagaConsumer(); run SagaTimeouts(); run Customer();
    run InventoryConsumer(); run ReservationExpiry();
    run PaymentConsumer(); run Provider()
  }
}
