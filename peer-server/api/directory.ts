import type { Request, Response } from 'express';
import type { StoredDirectory } from '../directory-store.ts';

/** GET /api/directory — answers 304 when the client already has this version. */
export function directoryHandler(current: () => StoredDirectory) {
  return (req: Request, res: Response) => {
    const { body, etag } = current();
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(body);
  };
}
