import {
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import {
  InsufficientScopeError,
  MissingTokenError,
  OidcAuthError,
} from '../protocol/errors/errors.js';
import { OidcAuthConfigError } from '../core/config/config-error.js';
import type { OidcPrincipal } from '../core/claims/principal.js';
import { clockToleranceOf } from '../core/jwt/create-verifier.js';
import {
  OIDC_AUTH_OPTIONS,
  type OidcAuthModuleOptions,
} from '../nest/options/oidc-auth.options.js';
import { PolicyRegistry } from '../nest/policy/policy-registry.js';
import { enforcePolicy, type RoutePolicy, RoutePolicyReader } from '../nest/policy/route-policy.js';
import { ProtectedResources } from '../nest/resources/protected-resources.js';
import { OidcAuthenticator } from '../nest/authentication/oidc-authenticator.js';
import { authenticationOf, bindAuthentication } from '../nest/transports/call-authentications.js';
import { describeHttp, setAnswerHeaders } from '../nest/transports/http.transport.js';
import type { HttpRequestLike, HttpResponseLike } from '../nest/transports/http-exchange.js';
import { type Authentication, loggable } from '../nest/transports/transport.js';
import { type McpCall, mcpCalls } from './json-rpc-calls.js';
import { hideTools, mcpAuthInfo } from './mcp-auth-info.js';
import type { McpCapabilities } from './mcp-capabilities.js';
import { MCP_ENDPOINT_KEY, type McpEndpointOptions } from './mcp-endpoint.options.js';
import { mcpNestCapabilities } from './mcp-nest-capabilities.js';
import { OIDC_MCP_OPTIONS, type OidcMcpOptions } from './oidc-mcp.options.js';
import { declaredCapabilities } from './sdk-server.js';

type Handler = (...args: unknown[]) => unknown;

/** The request as the MCP SDKs read it: `auth` becomes the handlers' `authInfo`. */
type McpRequest = HttpRequestLike & {
  body?: unknown;
  raw?: object & { auth?: unknown };
  auth?: unknown;
};

/** A call the endpoint refuses, and the scopes it needs. */
interface Refused {
  err: OidcAuthError;
  call: McpCall;
  policy: RoutePolicy;
}

/**
 * The MCP endpoints of the application and the requirements of their capabilities, found at
 * startup; and the check of each MCP request against them, with the module's own policy
 * evaluation and refusals.
 */
@Injectable()
export class McpAuthorization implements OnApplicationBootstrap {
  // By controller, then handler: controllers extending one base share its handler functions.
  private readonly endpoints = new Map<Type, Map<Handler, McpCapabilities>>();
  private readonly clockToleranceSeconds: number;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly reflector: Reflector,
    private readonly reader: RoutePolicyReader,
    private readonly namedPolicies: PolicyRegistry,
    private readonly authenticator: OidcAuthenticator,
    private readonly resources: ProtectedResources,
    @Inject(OIDC_AUTH_OPTIONS) options: OidcAuthModuleOptions,
    @Inject(OIDC_MCP_OPTIONS) private readonly mcpOptions: OidcMcpOptions,
  ) {
    this.clockToleranceSeconds = clockToleranceOf(options);
  }

  /**
   * Finds every `@McpEndpoint()` route, reads its capabilities, refuses to start when one names a
   * policy nobody registered, and adds its tools' scopes to its resource: what the 401 of the
   * endpoint names in `scope`, unless the resource configures `scopes`, and what its metadata
   * lists in `scopes_supported`.
   */
  onApplicationBootstrap(): void {
    const scanner = new MetadataScanner();
    for (const module of this.modules.values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as Type | null;
        if (!controller) continue;
        for (const method of scanner.getAllMethodNames(controller.prototype)) {
          const handler = controller.prototype[method] as Handler;
          const options = this.reflector.getAllAndOverride<McpEndpointOptions | undefined>(
            MCP_ENDPOINT_KEY,
            [handler, controller],
          );
          if (options) this.register(`${controller.name}.${method}`, controller, handler, options);
        }
      }
    }
  }

  private register(
    where: string,
    controller: Type,
    handler: Handler,
    options: McpEndpointOptions,
  ): void {
    const capabilities = options.server
      ? declaredCapabilities(options.server())
      : mcpNestCapabilities(this.modules, this.reader, options.mcpNestServer);
    const resource = this.reader.for(controller, handler).resource;
    for (const { kind, name, policy, method } of capabilities.all) {
      const unknown = policy.policies
        ?.flat()
        .find((policyName) => !this.namedPolicies.has(policyName));
      if (unknown !== undefined) {
        throw new OidcAuthConfigError(
          'policies',
          `has no policy ${unknown}, which the MCP ${kind} ${name} of ${where} requires (registered: ${this.namedPolicies.names.join(', ') || 'none'})`,
        );
      }
      // The guard checks a @rekog/mcp-nest method again as a message handler, under its own
      // resource: under another, every token for the endpoint would be refused there.
      if (policy.resource && policy.resource !== resource) {
        throw new OidcAuthConfigError(
          `@ProtectedResource on ${method}`,
          `puts the MCP ${kind} ${name} under ${policy.resource.name ?? 'the root resource'}, but its endpoint ${where} is under ${resource?.name ?? 'the root resource'}: give both the same @ProtectedResource`,
        );
      }
    }
    this.resources.of(resource?.name, where).addScopes(capabilities.scopes);
    const handlers = this.endpoints.get(controller) ?? new Map<Handler, McpCapabilities>();
    this.endpoints.set(controller, handlers.set(handler, capabilities));
  }

  /**
   * Holds every call of the request to the requirement of what it calls, before the handler runs,
   * and hands the caller on to the MCP server (`authInfo`). Throws the refusal of the first call
   * the token does not meet; a 403 names the scopes of every call that lacks one, so that one
   * step-up covers a whole batch.
   */
  async authorize(context: ExecutionContext): Promise<true> {
    const request = context.switchToHttp().getRequest<McpRequest>();
    const route = this.reader.of(context);
    const capabilities = this.endpoints
      .get(context.getClass())
      ?.get(context.getHandler() as Handler);
    if (!capabilities) {
      throw new OidcAuthConfigError(
        '@McpEndpoint()',
        `is on ${context.getClass().name}.${context.getHandler().name}, which OidcMcpModule did not find at startup`,
      );
    }
    const authentication = authenticationOf(request);
    // Only an endpoint the module's guard let through without a token (@Public) gets here so.
    if (!authentication) this.refuse(context, route, new MissingTokenError(), undefined, undefined);
    const { principal } = authentication;
    // A body the application did not parse as JSON (another Content-Type) is one this check cannot
    // read, while the MCP server might: refused, rather than let through unchecked.
    if (
      request.method === 'POST' &&
      (typeof request.body !== 'object' || Buffer.isBuffer(request.body))
    ) {
      throw new HttpException(
        {
          statusCode: 415,
          error: 'Unsupported Media Type',
          message: 'An MCP request is JSON: send it as application/json',
        },
        415,
      );
    }
    const calls = mcpCalls(request.body);
    const refused: Refused[] = [];
    for (const call of calls) {
      const capability = capabilities.of(call);
      if (!capability || capability.policy.isPublic) continue;
      const err = await this.check(capability.policy, principal, context);
      if (err) refused.push({ err, call, policy: capability.policy });
    }
    if (refused.length > 0) this.refuse(context, route, refused[0].err, principal, refused);
    const authInfo = mcpAuthInfo(authentication, route.resource?.options?.resource);
    if (this.mcpOptions.hideForbiddenTools && calls.some((call) => call.method === 'tools/list')) {
      const hidden = new Set<string>();
      for (const tool of capabilities.tools) {
        if (tool.policy.isPublic) continue;
        if (await this.check(tool.policy, principal, context)) hidden.add(tool.name);
      }
      hideTools(authInfo, hidden);
    }
    this.handOn(request, authentication, authInfo);
    return true;
  }

  // The SDKs read `auth` from the Node request: on Fastify, the raw one. The raw request carries
  // the authentication too, for `@rekog/mcp-nest`'s message handlers, which only see that one.
  private handOn(request: McpRequest, authentication: Authentication, authInfo: object): void {
    request.auth = authInfo;
    if (request.raw && request.raw !== request) {
      request.raw.auth = authInfo;
      bindAuthentication(request.raw, authentication);
    }
  }

  /** The refusal of one call's policy, or undefined when the principal meets it. */
  private async check(
    policy: RoutePolicy,
    principal: OidcPrincipal,
    context: ExecutionContext,
  ): Promise<OidcAuthError | undefined> {
    try {
      enforcePolicy(
        policy,
        principal,
        policy.authentication && {
          nowSeconds: Date.now() / 1000,
          toleranceSeconds: this.clockToleranceSeconds,
        },
      );
      if (policy.policies) await this.namedPolicies.enforce(policy.policies, principal, context);
      return undefined;
    } catch (err) {
      if (err instanceof OidcAuthError) return err;
      throw err;
    }
  }

  private refuse(
    context: ExecutionContext,
    route: RoutePolicy,
    err: OidcAuthError,
    principal: OidcPrincipal | undefined,
    refused: Refused[] | undefined,
  ): never {
    const request = context.switchToHttp().getRequest<McpRequest>();
    const first = refused?.[0];
    // The scopes of every refused call that lacks one, each as a client asks for it (the first of
    // an any-of group): one token with all of them passes the whole request.
    const lacking = (refused ?? []).filter(
      ({ err: refusal }) =>
        refusal instanceof InsufficientScopeError && refusal.reason === 'insufficient_scope',
    );
    const scopes = (lacking.length > 0 ? lacking : first ? [first] : []).flatMap(({ policy }) =>
      policy.scopes.map((group) => group[0]),
    );
    const answer = this.authenticator.refused(
      'http',
      first
        ? `${describeHttp(request)} ${first.call.method} ${loggable(first.call.name)}`
        : describeHttp(request),
      err,
      principal,
      {
        scope: first
          ? scopes.length > 0
            ? [...new Set(scopes)].join(' ')
            : undefined
          : route.challenge?.scope,
        resourceMetadata: route.challenge?.resourceMetadata,
      },
    );
    setAnswerHeaders(context.switchToHttp().getResponse<HttpResponseLike>(), answer);
    throw new HttpException(answer.body, answer.status);
  }
}
