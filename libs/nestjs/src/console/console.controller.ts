import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { promises as fsp } from 'fs';
import * as path from 'path';

/** What an HTTP response needs here. */
interface FileResponse {
  type(contentType: string): FileResponse;
  send(body: Buffer): void;
}

/** The only files served: a fixed list, so no path from the URL ever reaches the file system. */
const CONSOLE_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.js.map': 'application/json; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * `npm run build` writes the console to dist/console (scripts/build-console.js). This file is
 * compiled to dist/libs/nestjs/src/console, four levels below dist; run from source (ts-jest),
 * the same four levels lead to the repository root, whose dist/console is the built one.
 */
const ASSET_DIRS = [path.resolve(__dirname, '..', '..', '..', '..', 'console'), path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'console')];

/**
 * The web console at `/console`: static files only. The page talks to the cluster with the browser
 * SDK over socket.io like any client (so AUTH and ACLs apply to it as to any client).
 */
@Controller('console')
export class ConsoleController {
  @Get()
  @Header('Cache-Control', 'no-cache')
  index(@Res() res: FileResponse): Promise<void> {
    return this.serve('index.html', res);
  }

  @Get(':file')
  @Header('Cache-Control', 'no-cache')
  file(@Param('file') file: string, @Res() res: FileResponse): Promise<void> {
    return this.serve(file, res);
  }

  private async serve(file: string, res: FileResponse): Promise<void> {
    const type = Object.hasOwn(CONSOLE_FILES, file) ? CONSOLE_FILES[file] : undefined;
    if (!type) throw new NotFoundException(`no console file '${file}'`);
    const dir = await this.assetDir();
    if (!dir) throw new NotFoundException('the console is not built: run `npm run build`');
    res.type(type).send(await fsp.readFile(path.join(dir, file)));
  }

  /** Looked up on each request (cheap): a build made after the broker started is found too. */
  private async assetDir(): Promise<string | null> {
    for (const dir of ASSET_DIRS) {
      // a directory without the page is not a console build
      const found = await fsp.access(path.join(dir, 'index.html')).then(
        () => true,
        () => false,
      );
      if (found) return dir;
    }
    return null;
  }
}
