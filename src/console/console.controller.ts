import { Controller, Get, NotFoundException, Param, Redirect, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ConsoleAssets, ConsoleFile } from './console-assets';
import { consoleHeaders } from './console-headers';

/**
 * Serves the built-in web console (a static single-page app built by `npm run build`). The page and its
 * files hold no data, so they are public; everything the console shows comes from the API, with the
 * user's own credentials.
 */
@ApiExcludeController()
@Public()
@Controller()
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  @Redirect('/console', 302)
  root(): void {}

  @Get('console')
  async page(@Req() request: Request, @Res() response: Response): Promise<void> {
    const page = await this.assets.page();
    if (!page) throw new ServiceUnavailableException('The console is not built: run npm run build');
    this.send(request, response, page);
  }

  @Get('console/assets/:name')
  async asset(@Param('name') name: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const file = await this.assets.asset(name);
    if (!file) throw new NotFoundException(`No console file ${name}`);
    this.send(request, response, file);
  }

  private send(request: Request, response: Response, file: ConsoleFile): void {
    response.set(consoleHeaders(request.headers.host)).type(file.contentType).send(file.body);
  }
}
