/** What the engine client needs from a channel: send a message, receive messages, learn of closes. */
export type Unsubscribe = () => void;

export interface Transport {
  /** Sends one protocol request (plain data; typed arrays allowed). */
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): Unsubscribe;
  /** Connection state changes: open, or closed with a reason (requests in flight are lost). */
  onStatus(listener: (status: { state: 'open' } | { state: 'closed'; reason: string }) => void): Unsubscribe;
  close(): void;
}

/** A tiny listener set, because every transport needs one. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): Unsubscribe {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T): void {
    for (const l of [...this.set]) l(value);
  }
}
