import { HoverConnectionId, HoverHttpService, HoverIntegrationGuard, prefersHtml, type HoverJobsPageV3 } from '@hover-auth/nestjs';
import { Controller, Get, Headers, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { signedInUser } from './app-users';
import { escapeHtml, page } from './html';

/** Jobs per page. */
const PER_PAGE = 25;

/** Lists the signed-in user's Hover jobs through `HoverHttpService` (guarded: connected, active, integrations). */
@Controller('jobs')
@UseGuards(HoverIntegrationGuard)
export class JobsController {
  constructor(private readonly hover: HoverHttpService) {}

  /** JSON (Hover's page as is) for API clients; an HTML table with previous / next and "page N of M" for a browser. */
  @Get()
  async list(
    @HoverConnectionId() connectionId: string,
    @Query('page') pageParam: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Req() request: Request,
    @Res() res: Response,
  ): Promise<void> {
    const pageNumber = /^[1-9]\d{0,5}$/.test(pageParam ?? '') ? Number(pageParam) : 1;
    const jobs = await this.hover.forConnection(connectionId).getData<HoverJobsPageV3>('/v3/jobs', { params: { page: pageNumber, per: PER_PAGE } });
    if (!prefersHtml(accept)) {
      res.json(jobs);
      return;
    }
    const total = jobs.pagination.total;
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    const current = jobs.pagination.current_page;
    const rows = jobs.results
      .map((job) => `<tr><td>${job.id}</td><td>${escapeHtml(job.name)}</td><td>${escapeHtml(job.state ?? '')}</td><td>${escapeHtml([job.location?.line_1, job.location?.city].filter(Boolean).join(', '))}</td></tr>`)
      .join('');
    const previous = current > 1 ? `<a id="previous" href="/jobs?page=${Math.min(current - 1, pages)}">← Previous</a>` : '<span class="muted">← Previous</span>';
    const next = jobs.pagination.next_page ? `<a id="next" href="/jobs?page=${jobs.pagination.next_page}">Next →</a>` : '<span class="muted">Next →</span>';
    const body =
      current > pages
        ? `<p id="page-info">Page ${current} is past the last page (${pages}).</p><p><a id="first" href="/jobs">First page</a></p>`
        : `<table id="jobs"><tr><th>Id</th><th>Name</th><th>State</th><th>Address</th></tr>${rows}</table>
<nav class="pages">${previous}<span id="page-info">Page ${current} of ${pages} · ${total} jobs</span>${next}</nav>`;
    res.type('html').send(page('Hover jobs', `<h1>Your Hover jobs</h1>${body}<p><a href="/">Home</a></p>`, signedInUser(request)));
  }
}
