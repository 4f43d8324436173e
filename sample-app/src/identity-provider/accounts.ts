export interface DemoUser {
  username: string;
  password: string;
  name: string;
  email: string;
  roles: string[];
}

/** Demo users. Passwords equal user names: this provider exists for local development only. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'alice',
    password: 'alice',
    name: 'Alice Admin',
    email: 'alice@example.test',
    roles: ['admin'],
  },
  { username: 'bob', password: 'bob', name: 'Bob Reader', email: 'bob@example.test', roles: [] },
];

export function findUser(username: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.username === username);
}

export function checkPassword(username: unknown, password: unknown): DemoUser | undefined {
  if (typeof username !== 'string' || typeof password !== 'string') return undefined;
  const user = findUser(username);
  return user && user.password === password ? user : undefined;
}
