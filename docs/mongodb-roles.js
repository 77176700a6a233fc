// ami-bot's least-privilege MongoDB role and user (docs/MONGODB.md). Run it as a user administrator:
//
//   mongosh "mongodb://<admin>@<host>:27017/admin" --file docs/mongodb-roles.js
//
// It is idempotent: run it again after changing a name below and the role is updated in place; an existing
// user keeps its password and only gets its roles reset. test/unit/mongodb-roles.test.ts runs this file and
// checks that the role grants every operation the bot's Domino adapters perform, and nothing more.

// Must match the bot's configuration (AMIBOT_CONFIG); these are the defaults.
const DOMINO_DATABASE = 'domino'; // mongo.dominoDatabase
const TIER_COLLECTION = 'executor_group_configuration'; // mongo.tierCollection
const TIER_USERS_COLLECTION = 'runs'; // domino.tierUsers.collection
const BOT_DATABASE = 'ami_bot'; // mongo.stateDatabase
const ROLE = 'amiBot';
const USER = 'ami-bot';

const admin = db.getSiblingDB('admin');

const role = {
  privileges: [
    // Hardware tiers: read all of them (plan, review), update executorImage of the planned ones (apply, revert).
    { resource: { db: DOMINO_DATABASE, collection: TIER_COLLECTION }, actions: ['find', 'update'] },
    // Who used which tier recently, to tell them about a change: a $match + $group aggregation, read only.
    { resource: { db: DOMINO_DATABASE, collection: TIER_USERS_COLLECTION }, actions: ['find'] },
  ],
  // The bot's own state: bakes, leases, locks, changes, audit, reviews; it creates its indexes at start-up.
  roles: [{ role: 'readWrite', db: BOT_DATABASE }],
};

if (admin.getRole(ROLE)) {
  admin.updateRole(ROLE, role);
  print(`updated role ${ROLE}`);
} else {
  admin.createRole({ role: ROLE, ...role });
  print(`created role ${ROLE}`);
}

const userRoles = [{ role: ROLE, db: 'admin' }];
if (admin.getUser(USER)) {
  admin.updateUser(USER, { roles: userRoles });
  print(`user ${USER} exists: roles reset to ${ROLE}`);
} else {
  // Prompts for the password; or use pwd: process.env.AMIBOT_MONGODB_PASSWORD in automation.
  admin.createUser({ user: USER, pwd: passwordPrompt(), roles: userRoles });
  print(`created user ${USER}`);
}
