/* global process, fetch, console */
// An HTTP-only application on the compiled library, run with block-peers.mjs: prints one JSON line.
import 'reflect-metadata';
import { createRequire } from 'node:module';

const dist = process.argv[2];
const { Controller, Get, Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
const { OidcAuthModule, Scopes } = await import(`${dist}/index.js`);
const { LocalIssuer } = await import(`${dist}/testing/index.js`);

const blocked = {
  import: await import('@nestjs/websockets').then(
    () => 'loaded',
    (err) => err.code,
  ),
  require: (() => {
    try {
      createRequire(import.meta.url)('@nestjs/microservices');
      return 'loaded';
    } catch (err) {
      return err.code;
    }
  })(),
};

class NotesController {
  list() {
    return ['a note'];
  }
}
Controller('notes')(NotesController);
const list = Object.getOwnPropertyDescriptor(NotesController.prototype, 'list');
Scopes('notes:read')(NotesController.prototype, 'list', list);
Get()(NotesController.prototype, 'list', list);

const issuer = await LocalIssuer.start();
class AppModule {}
Module({
  imports: [
    OidcAuthModule.forRoot({ issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] }),
  ],
  controllers: [NotesController],
})(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, '127.0.0.1');
const url = `${await app.getUrl()}/notes`;
const token = await issuer.mintToken({ scopes: ['notes:read'] });
const anonymous = await fetch(url);
const authorized = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
console.log(
  JSON.stringify({
    blocked,
    anonymous: anonymous.status,
    authorized: authorized.status,
    body: await authorized.json(),
  }),
);
await app.close();
await issuer.stop();
