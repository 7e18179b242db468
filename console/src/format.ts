// Text for dates, durations and API errors.

/** ISO-like UTC timestamp, second precision: 2026-05-01 12:00:00 UTC. */
export function formatDate(date: Date | undefined): string {
  if (!date) return '-';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "3 d 04 h 05 m 06 s" until `to`; "expired" once it has passed. */
export function formatCountdown(to: Date, now: Date): string {
  let seconds = Math.floor((to.getTime() - now.getTime()) / 1000);
  if (seconds <= 0) return 'expired';
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days > 0 ? `${days} d ` : ''}${two(hours)} h ${two(minutes)} m ${two(seconds)} s`;
}

/** An error from the API, as the API states it: its __type and its message. */
export interface ApiErrorText {
  name: string;
  message: string;
}

export function apiErrorText(error: unknown): ApiErrorText {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  return { name: 'Error', message: String(error) };
}

export function formatBytes(count: number): string {
  return count === 1 ? '1 byte' : `${count} bytes`;
}

/** `<ExceptionName>: <message>`, on one line. */
export function apiErrorLine(error: unknown): string {
  const { name, message } = apiErrorText(error);
  return `${name}: ${message}`;
}

/** An alias name as KMS wants it: "my-key" becomes "alias/my-key". */
export function toAliasName(input: string): string {
  const name = input.trim();
  return name.startsWith('alias/') ? name : `alias/${name}`;
}
