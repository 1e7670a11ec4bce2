import { parseArgs } from 'node:util';
import { DeadLetterNotFoundError, DeadLetters, type DeadLetter } from '../dead-letters';

const USAGE = `usage: pnpm dlq <command> [options]
  list                    dead letters, oldest first
  show <id>               one dead letter: who gave up on what, why, and the payload
  replay <id> | --all     republish to the original subject for the consumer that gave up, then remove
  discard <id>            remove for good
options:
  --service <name>        only this service's dead letters (list, replay --all)
  --consumer <name>       only this consumer's (with --service)
  --json                  machine-readable output (list, show)
  --nats-url <url>        default: NATS_URL, else nats://127.0.0.1:4222
  --namespace <prefix>    default: MESSAGING_NAMESPACE, else none (the local stack's)`;

function fail(message: string, status = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

function idOf(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) fail(`a dead letter id is a positive whole number (got ${JSON.stringify(value)})\n\n${USAGE}`);
  return id;
}

function table(letters: readonly DeadLetter[]): string {
  if (letters.length === 0) return 'no dead letters';
  const rows = letters.map((letter) => [
    String(letter.id),
    letter.failedAt,
    `${letter.service}/${letter.consumer}`,
    letter.subject,
    String(letter.deliveries),
    letter.reason ?? '',
    `${letter.error.code ?? letter.error.name}: ${letter.error.message}`.replace(/\s+/g, ' ').slice(0, 80),
  ]);
  const header = ['id', 'failed at', 'service/consumer', 'subject', 'deliveries', 'reason', 'error'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line), '', `${letters.length} dead letter${letters.length === 1 ? '' : 's'}`].join('\n');
}

function describe(letter: DeadLetter): string {
  let payload: unknown = letter.data;
  try {
    payload = JSON.parse(letter.data);
  } catch {
    // not JSON (that may be why it was dead-lettered): shown as it is
  }
  const { data: _data, ...record } = letter;
  return `${JSON.stringify(record, null, 2)}\npayload:\n${typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2)}`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      consumer: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      'nats-url': { type: 'string' },
      namespace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, argument] = positionals;
  if (values.help || !command) fail(USAGE, values.help ? 0 : 2);
  const filter = { ...(values.service ? { service: values.service } : {}), ...(values.consumer ? { consumer: values.consumer } : {}) };
  const natsUrl = values['nats-url'] ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const namespace = values.namespace ?? process.env.MESSAGING_NAMESPACE ?? '';
  const { deadLetters, close } = await DeadLetters.connect(natsUrl, namespace).catch((error: unknown) =>
    fail(`cannot reach NATS at ${natsUrl} (NATS_URL or --nats-url): ${(error as Error).message}`, 1),
  );
  const print = (text: string) => process.stdout.write(`${text}\n`);
  try {
    switch (command) {
      case 'list': {
        const letters = await deadLetters.list(filter);
        print(values.json ? JSON.stringify(letters, null, 2) : table(letters));
        break;
      }
      case 'show': {
        const letter = await deadLetters.show(idOf(argument));
        print(values.json ? JSON.stringify(letter, null, 2) : describe(letter));
        break;
      }
      case 'replay': {
        const ids = values.all ? (await deadLetters.list(filter)).map((letter) => letter.id) : [idOf(argument)];
        for (const id of ids) {
          const result = await deadLetters.replay(id);
          print(`replayed ${id}: ${result.subject} for ${result.consumer}${result.published ? '' : ' (already replayed moments ago)'}`);
        }
        if (ids.length === 0) print('no dead letters to replay');
        break;
      }
      case 'discard': {
        const id = idOf(argument);
        await deadLetters.discard(id);
        print(`discarded ${id}`);
        break;
      }
      default:
        fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof DeadLetterNotFoundError) fail(error.message, 1);
    if (/stream not found/i.test((error as Error).message)) {
      fail(`no stream ${deadLetters.stream} at ${natsUrl}: is the namespace right (MESSAGING_NAMESPACE or --namespace)?`, 1);
    }
    throw error;
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`dlq: ${(error as Error).message}\n`);
  process.exit(1);
});
