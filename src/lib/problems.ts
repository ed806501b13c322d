// GET /problems/:type describes a problem type, so every problem's `type` URI resolves.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ERROR_CODES, ERRORS, problemType } from './errors.js';

const ProblemTypeSchema = Type.Object({
  type: Type.String(),
  code: Type.String(),
  status: Type.Integer(),
  title: Type.String(),
});

export async function problemRoutes(app: FastifyInstance) {
  const byType = new Map(ERROR_CODES.map((code) => [problemType(code).split('/').pop() as string, code]));
  app.get(
    '/problems/:type',
    {
      schema: {
        operationId: 'getProblemType',
        tags: ['Service'],
        summary: 'Describe a problem type',
        description: 'What a problem `type` URI means: its code, HTTP status and title.',
        params: Type.Object(
          { type: Type.String({ description: 'The last segment of a problem `type`, e.g. not-found.' }) },
          { additionalProperties: false },
        ),
        response: {
          200: { ...ProblemTypeSchema, description: 'The problem type.' },
          404: { $ref: 'Problem', description: 'No such problem type.' },
        },
      },
    },
    async (request, reply) => {
      const code = byType.get((request.params as { type: string }).type);
      if (!code) return reply.callNotFound();
      return { type: problemType(code), code, status: ERRORS[code].status, title: ERRORS[code].title };
    },
  );
}
