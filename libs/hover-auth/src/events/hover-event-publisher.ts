import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { HoverEventName, HoverEventPayloads } from './hover-events';

/** The part of `EventEmitter2` hover-auth uses. */
interface EventSink {
  emit(event: string, payload: unknown): boolean;
  emitAsync?(event: string, payload: unknown): Promise<unknown[]>;
}

/**
 * Emits hover-auth's lifecycle events on the host's `EventEmitter2` (from `@nestjs/event-emitter`, an
 * optional peer dependency). The emitter is looked up once, at application bootstrap, by its class
 * from the host's own copy of the package, through `ModuleRef` (non-strict: `EventEmitterModule` is
 * global); when the package is not installed or not set up, {@link emit} does nothing. A listener that
 * throws is logged and never fails the hover-auth operation that emitted the event.
 */
@Injectable()
export class HoverEventPublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger('HoverAuth');
  private sink: EventSink | null = null;

  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    this.ready();
  }

  /** Looks the host's emitter up if not done yet (any time after the providers are built). @returns {@link enabled} */
  ready(): boolean {
    this.sink ??= this.findEmitter();
    return this.sink !== null;
  }

  /** Whether events reach a host emitter (false without `@nestjs/event-emitter`). */
  get enabled(): boolean {
    return this.sink !== null;
  }

  /**
   * Emits `name` with `payload` (never tokens). Listeners start now; hover-auth does not wait for async
   * ones. A listener that throws or rejects (e.g. `@OnEvent(…, { suppressErrors: false })`) is logged.
   */
  emit<N extends HoverEventName>(name: N, payload: HoverEventPayloads[N]): void {
    void this.dispatch(name, payload);
  }

  /**
   * Emits any event (a received webhook's `hover.webhook.<event>`, whose name comes from Hover). Listeners
   * start now; the promise resolves once async ones settled. Never rejects: a listener that throws or
   * rejects is logged.
   */
  async dispatch(name: string, payload: unknown): Promise<void> {
    if (!this.sink) return;
    const failed = (error: unknown) =>
      this.logger.error(`A listener of ${name} threw (${(error as Error)?.name ?? 'error'}); hover-auth carried on.`);
    try {
      // emitAsync (EventEmitter2) hands back the listeners' promises, so a rejection is caught here
      // instead of becoming an unhandled rejection of the host process.
      if (this.sink.emitAsync) await this.sink.emitAsync(name, payload).catch(failed);
      else this.sink.emit(name, payload);
    } catch (error) {
      failed(error);
    }
  }

  private findEmitter(): EventSink | null {
    let emitterClass: unknown;
    try {
      // Optional peer: resolved at run time from the host's node_modules, never bundled or required.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      emitterClass = require('@nestjs/event-emitter').EventEmitter2;
    } catch {
      return null;
    }
    if (typeof emitterClass !== 'function') return null;
    try {
      const emitter = this.moduleRef.get(emitterClass as new (...args: never[]) => EventSink, { strict: false });
      return emitter && typeof emitter.emit === 'function' ? emitter : null;
    } catch {
      // Installed but EventEmitterModule.forRoot() is not imported: no events.
      return null;
    }
  }
}
