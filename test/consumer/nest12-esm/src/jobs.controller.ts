import { HoverConnectionId, HoverHttpService, HoverIntegrationGuard } from '@hover-auth/nestjs';
import { Controller, Get, UseGuards } from '@nestjs/common';

/** One page of Hover's `GET /api/v3/jobs` (the fields this app reads). */
export interface HoverJobsPage {
  pagination: { current_page: number; next_page: number | null; total: number };
  results: Array<{ id: number; name: string; state: string; location: { city: string } }>;
}

@Controller('jobs')
@UseGuards(HoverIntegrationGuard)
export class JobsController {
  constructor(private readonly hover: HoverHttpService) {}

  /** The first five jobs of the Hover org connected to the caller's account. */
  @Get()
  list(@HoverConnectionId() connectionId: string): Promise<HoverJobsPage> {
    return this.hover.forConnection(connectionId).getData<HoverJobsPage>('/v3/jobs', { params: { page: 1, per: 5 } });
  }
}
