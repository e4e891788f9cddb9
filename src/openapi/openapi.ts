import { HttpStatus, INestApplication, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import metadata from 'src/metadata';

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', description: 'A URI naming the problem type.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'What went wrong, for people.' },
    code: {
      type: 'string',
      description: 'A stable machine word: VALIDATION_FAILED, FLAG_NOT_FOUND, FLAG_EXISTS, VERSION_CONFLICT, …',
    },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    requestId: { type: 'string', nullable: true },
  },
};

/** The OpenAPI document, generated from the controllers and DTOs; committed as openapi.json. */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(metadata);
  addSuccessResponses(app);
  const config = new DocumentBuilder()
    .setTitle('flagdog')
    .setDescription(
      'Feature flags and staged rollouts with a built-in watchdog. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or service token' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, Problem: PROBLEM_SCHEMA };
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const responses = (operation as { responses?: Record<string, { content?: unknown }> }).responses ?? {};
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) {
          response.content = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
        }
      }
    }
  }
  return document;
}

export async function setupOpenApi(app: INestApplication): Promise<void> {
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}

/** The swagger plugin's factory on each controller class: method name → { type, summary, … }. */
type PluginFactory = () => Record<string, { type?: unknown; summary?: string; [key: string]: unknown }>;
const PLUGIN_FACTORY = '_OPENAPI_METADATA_FACTORY';
/** Where @ApiResponse and its shorthands keep a method's responses (`DECORATORS.API_RESPONSE`, not exported). */
const API_RESPONSE_METADATA = 'swagger/apiResponse';

/**
 * The plugin adds a method's success response only when the method declares no response at
 * all, and every flagdog route declares its errors; so the success responses (the DTO the
 * method returns, or an empty 204) are added here from the same plugin metadata.
 */
function addSuccessResponses(app: INestApplication): void {
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const factory = (metatype as unknown as Record<string, PluginFactory | undefined>)[PLUGIN_FACTORY];
      if (!metatype || !factory) continue;
      const prototype = metatype.prototype as Record<string, object>;
      for (const [name, { type }] of Object.entries(factory())) {
        const handler = prototype[name];
        const declared = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
        const status =
          declared ??
          (Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
        // A method that writes its answer itself (`@Res()`) declares it with @ApiOkResponse.
        const declaredResponses = Reflect.getMetadata(API_RESPONSE_METADATA, handler) as
          Record<string, unknown> | undefined;
        if (type === undefined && declaredResponses?.[status] !== undefined) continue;
        const response = type === undefined ? { status, description: 'Done.' } : { status, type: type as never };
        ApiResponse(response, { overrideExisting: true })(
          prototype,
          name,
          Object.getOwnPropertyDescriptor(prototype, name)!,
        );
      }
    }
  }
}
