// Globals of the k6 runtime that @types/k6 leaves to lib "dom" (which would also admit fetch, window
// and the rest of a browser that k6 does not have).
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
