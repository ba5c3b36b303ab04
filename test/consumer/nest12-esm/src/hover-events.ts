import {
  HOVER_EVENTS,
  HOVER_WEBHOOK_EVENTS,
  HoverHealthIndicator,
  type HoverConnectedEvent,
  type HoverJobStateChangedPayload,
  type HoverWebhookEvent,
} from '@hover-auth/nestjs';
import { Controller, Get, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';

/** Keeps the hover-auth lifecycle events this app received (a real app would email, audit, …). */
@Injectable()
export class HoverEventLog {
  readonly connected: HoverConnectedEvent[] = [];
  readonly jobStateChanges: Array<HoverWebhookEvent<HoverJobStateChangedPayload>> = [];

  @OnEvent(HOVER_EVENTS.CONNECTED)
  onConnected(event: HoverConnectedEvent): void {
    this.connected.push(event);
  }

  /** A Hover webhook delivery: a job of a connected org changed state. */
  @OnEvent(HOVER_WEBHOOK_EVENTS.JOB_STATE_CHANGED)
  onJobStateChanged(event: HoverWebhookEvent<HoverJobStateChangedPayload>): void {
    this.jobStateChanges.push(event);
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly hover: HoverHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.hover.isHealthy('hover')]);
  }
}
