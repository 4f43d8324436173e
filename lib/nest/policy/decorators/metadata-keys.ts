export const PUBLIC_KEY = 'oidc-auth:public';
export const SCOPES_KEY = 'oidc-auth:scopes';
export const ANY_SCOPE_KEY = 'oidc-auth:any-scope';
export const ROLES_KEY = 'oidc-auth:roles';
export const ANY_ROLE_KEY = 'oidc-auth:any-role';
export const AUTHENTICATION_KEY = 'oidc-auth:authentication';
