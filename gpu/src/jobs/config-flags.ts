import type { z } from 'zod';

/** The command-line flag of a job config field: topK is --top-k. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** A config validation issue as a command line says it: `--top-k: must be at most experts`. */
export function flagIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${flagOf(String(issue.path[0] ?? ''))}: ${issue.message}`;
}
