// The lab routes of server/protocol.ts, as an express Router mounted under
// /api (after auth and the CSRF gate). Bodies and params are validated with
// zod; refusals are HttpErrors (LabError is one), which the server's one
// error handler turns into a status and a message the page can show. GETs
// only read: opening a lab (backups, file copies, setup as root) is a POST.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { currentStepBodySchema } from '../protocol.js';
import { HttpError } from '../http/http-error.js';
import { LabError } from './lab-error.js';
import type { LabService } from './lab-service.js';

const paramsSchema = z.object({
  lab: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  step: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
});
const ASSET = /^[\w./-]+\.(png|jpe?g|gif|webp)$/i;

/** POSTs without a meaningful body accept nothing but an empty object. */
const emptyBodySchema = z.union([z.undefined(), z.strictObject({})]);

export interface LabRouterOptions {
  service: LabService;
}

type Handler = (req: Request, res: Response) => Promise<void> | void;

export function createLabRouter({ service }: LabRouterOptions): Router {
  const router = express.Router();
  const wrap =
    (handler: Handler) =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      try {
        await handler(req, res);
      } catch (error) {
        next(error);
      }
    };
  const params = (req: Request) => {
    const parsed = paramsSchema.safeParse(req.params);
    if (!parsed.success) throw new LabError('unknown-lab', 'Malformed lab or step id.');
    return parsed.data;
  };
  const noBody = (req: Request) => {
    const body: unknown = req.body;
    const empty = body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0);
    if (!empty && !emptyBodySchema.safeParse(body).success) throw badRequest('This request takes no body.');
  };
  const stepOf = (p: { step?: string | undefined }): string => p.step as string;

  router.get(
    '/labs',
    wrap(async (_req, res) => {
      res.json(await service.summaries());
    }),
  );
  router.get(
    '/labs/:lab',
    wrap(async (req, res) => {
      res.json(await service.detail(params(req).lab));
    }),
  );
  // The page calls this when the learner opens a lab: the first time it
  // backs up node files, copies manifests and runs setup (see LabService.open).
  router.post(
    '/labs/:lab/start',
    wrap(async (req, res) => {
      noBody(req);
      res.json(await service.open(params(req).lab));
    }),
  );
  // Images the lab's Markdown refers to by relative path (the page resolves
  // `images/x.png` to /api/labs/<lab>/assets/images/x.png). Images only, from
  // inside the lab directory, never dot-files.
  router.get(
    '/labs/:lab/assets/*path',
    wrap((req, res) => {
      const lab = service.catalog.get(params(req).lab);
      const parts = (req.params as { path?: string[] }).path ?? [];
      const rel = parts.join('/');
      if (!lab || !ASSET.test(rel) || parts.some((p) => p === '..' || p.startsWith('.'))) {
        res.status(404).json({ error: 'not-found' });
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(rel, { root: lab.dir, dotfiles: 'deny' }, (error) => {
        if (error && !res.headersSent) res.status(404).json({ error: 'not-found' });
      });
    }),
  );
  router.post(
    '/labs/:lab/steps/:step/check',
    wrap(async (req, res) => {
      noBody(req);
      const p = params(req);
      res.json(await service.check(p.lab, stepOf(p)));
    }),
  );
  router.post(
    '/labs/:lab/steps/:step/hint',
    wrap((req, res) => {
      noBody(req);
      const p = params(req);
      res.json(service.hint(p.lab, stepOf(p)));
    }),
  );
  router.post(
    '/labs/:lab/steps/:step/solution',
    wrap((req, res) => {
      noBody(req);
      const p = params(req);
      res.json(service.solution(p.lab, stepOf(p)));
    }),
  );
  router.post(
    '/labs/:lab/reset',
    wrap(async (req, res) => {
      noBody(req);
      res.json(await service.reset(params(req).lab));
    }),
  );
  router.get(
    '/cluster/health',
    wrap(async (_req, res) => {
      res.json(await service.clusterHealth());
    }),
  );
  router.post(
    '/labs/:lab/current',
    wrap((req, res) => {
      const body = currentStepBodySchema.safeParse(req.body);
      if (!body.success)
        throw badRequest(`Body must be {"stepId": "..."}: ${body.error.issues[0]?.message ?? 'invalid'}`);
      service.setCurrent(params(req).lab, body.data.stepId);
      res.json({ ok: true });
    }),
  );
  return router;
}

function badRequest(message: string): HttpError {
  return new HttpError(400, 'bad-request', message);
}
