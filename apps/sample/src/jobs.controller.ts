import { HoverConnectionId, HoverHttpService, HoverIntegrationGuard } from '@hover-auth/nestjs';
import { Controller, Get, Headers, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { escapeHtml, page } from './html';

/** One job of `GET /api/v3/jobs` (the fields the sample shows). */
interface HoverJob {
  id: number;
  name: string;
  state?: string;
  location?: { line_1?: string; city?: string; region?: string };
}

/** A page of `GET /api/v3/jobs` (developers.hover.to, "List jobs"). */
interface HoverJobsPage {
  pagination: { current_page: number; next_page: number | null; total?: number };
  results: HoverJob[];
}

/** Lists the connected org's Hover jobs through `HoverHttpService` (guarded). */
@Controller('jobs')
@UseGuards(HoverIntegrationGuard)
export class JobsController {
  constructor(private readonly hover: HoverHttpService) {}

  /** JSON for API clients; an HTML table when the client asks for `text/html` (a browser). */
  @Get()
  async list(
    @HoverConnectionId() connectionId: string,
    @Query('page') pageParam: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const pageNumber = /^\d{1,6}$/.test(pageParam ?? '') ? Number(pageParam) : 1;
    const jobs = await this.hover
      .forConnection(connectionId)
      .getData<HoverJobsPage>('/v3/jobs', { params: { page: pageNumber, per: 25 } });
    if (!accept?.includes('text/html')) {
      res.json(jobs);
      return;
    }
    const rows = jobs.results
      .map((job) => `<tr><td>${job.id}</td><td>${escapeHtml(job.name)}</td><td>${escapeHtml(job.state ?? '')}</td><td>${escapeHtml([job.location?.line_1, job.location?.city].filter(Boolean).join(', '))}</td></tr>`)
      .join('');
    const next = jobs.pagination.next_page ? `<p><a href="/jobs?page=${jobs.pagination.next_page}">Next page</a></p>` : '';
    res
      .type('html')
      .send(page('Hover jobs', `<h1>Your Hover jobs</h1><table id="jobs"><tr><th>Id</th><th>Name</th><th>State</th><th>Address</th></tr>${rows}</table>${next}<p><a href="/">Home</a></p>`));
  }
}
