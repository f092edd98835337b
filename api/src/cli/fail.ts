/** Ends the command with one `error:` line on stderr and a non-zero exit; no stack trace. */
export function fail(message: string, exitCode = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(exitCode);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
