/** Turns a pino JSON line into one short readable line; anything else passes through. */

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[90m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[41m'],
};
const RESET = '\x1b[0m';
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'context', 'pid', 'hostname', 'req', 'res', 'responseTime', 'reqId', 'err']);

interface PinoLine {
  level?: number;
  time?: number;
  msg?: string;
  context?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  reqId?: string;
  err?: { type?: string; message?: string; stack?: string };
  [key: string]: unknown;
}

export function formatLogLine(line: string, color: boolean): string {
  if (!line.startsWith('{')) return line;
  let entry: PinoLine;
  try {
    entry = JSON.parse(line) as PinoLine;
  } catch {
    return line;
  }
  const [label, tint] = LEVELS[entry.level ?? 30] ?? ['INFO ', ''];
  const time = new Date(entry.time ?? Date.now()).toISOString().slice(11, 23);
  const level = color ? `${tint}${label}${RESET}` : label;
  const context = entry.context ? `[${entry.context}] ` : '';
  let message = entry.msg ?? '';
  if (entry.req && entry.res) {
    message = `${entry.req.method} ${entry.req.url} → ${entry.res.statusCode} in ${entry.responseTime} ms`;
  }
  const extras = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  if (entry.reqId) extras.push(`reqId=${entry.reqId}`);
  const error = entry.err?.stack ? `\n${entry.err.stack}` : '';
  return `${time} ${level} ${context}${message}${extras.length ? ` ${extras.join(' ')}` : ''}${error}`;
}
