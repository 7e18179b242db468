/**
 * The embedded mode's EventSink: one JSON line per service event on stdout, e.g.
 * {"level":"INFO","event":"DeleteExpiredKeyMaterial","keyArn":"arn:…","keyMaterialId":"…","time":"2026-…Z"}
 * Events name keys and materials only; they never carry material or secrets.
 */
import type { EventSink, ServiceEvent } from '../../core/ports';

export class JsonLineEventSink implements EventSink {
  constructor(private readonly write: (line: string) => void = (line) => void process.stdout.write(line)) {}

  record(event: ServiceEvent): void {
    const { eventName, eventTime, ...fields } = event;
    this.write(`${JSON.stringify({ level: 'INFO', event: eventName, ...fields, time: eventTime.toISOString() })}\n`);
  }
}
