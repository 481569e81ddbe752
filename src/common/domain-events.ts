import { EventEmitter } from 'node:events';

/** Facts other features react to (the recommender refreshes a customer when they happen). */
export interface DomainEventMap {
  activityRecorded: { customerIds: string[] };
  interestsChanged: { customerId: string };
  customerChanged: { customerId: string };
}

/**
 * A small typed in-process bus. Listeners must not throw into the caller: a failure to
 * schedule background work never fails the mutation that caused it.
 */
export class DomainEvents {
  private readonly emitter = new EventEmitter();

  on<K extends keyof DomainEventMap>(name: K, listener: (e: DomainEventMap[K]) => unknown): void {
    this.emitter.on(name, (e: DomainEventMap[K]) => {
      Promise.resolve()
        .then(() => listener(e))
        .catch((err) => this.emitter.emit('listenerError', { name, err }));
    });
  }

  onListenerError(fn: (e: { name: string; err: unknown }) => void): void {
    this.emitter.on('listenerError', fn);
  }

  emit<K extends keyof DomainEventMap>(name: K, event: DomainEventMap[K]): void {
    this.emitter.emit(name, event);
  }
}
