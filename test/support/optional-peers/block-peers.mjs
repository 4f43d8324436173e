// Makes the transport packages unresolvable, for ES imports (a resolve hook) and for require()
// alike, as if an HTTP-only application had never installed them.
import Module, { register } from 'node:module';

export const BLOCKED = [
  '@nestjs/websockets',
  '@nestjs/platform-ws',
  '@nestjs/platform-socket.io',
  'socket.io',
  'ws',
  '@nestjs/microservices',
  '@nestjs/graphql',
  '@nestjs/apollo',
  '@apollo/server',
  'graphql',
  'graphql-ws',
  '@nestjs/throttler',
  '@opentelemetry/api',
  '@modelcontextprotocol/sdk',
  '@rekog/mcp-nest',
];

const blocked = (specifier) =>
  BLOCKED.some((name) => specifier === name || specifier.startsWith(`${name}/`));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (blocked(request)) {
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolveFilename.call(this, request, ...rest);
};

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      const BLOCKED = ${JSON.stringify(BLOCKED)};
      export async function resolve(specifier, context, next) {
        if (BLOCKED.some((n) => specifier === n || specifier.startsWith(n + '/'))) {
          throw Object.assign(new Error("Cannot find package '" + specifier + "'"), {
            code: 'ERR_MODULE_NOT_FOUND',
          });
        }
        return next(specifier, context);
      }
    `),
);
