// Initiate replica set rs0 once, wait for a primary, then give each service (and the gateway,
// for its token book) its own user, allowed to read and write only its own database
// (anbei_<service>). Safe to run again.
const members = [0, 1, 2].map((i) => ({ _id: i, host: `mongodb-${i}.mongodb:27017`, priority: i === 0 ? 2 : 1 }));
try {
  rs.status();
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate({ _id: "rs0", members });
}
while (!db.hello().isWritablePrimary) {
  print("waiting for mongodb-0 to become primary");
  sleep(2000);
}
const admin = db.getSiblingDB("admin");
for (const service of ["inventory", "teams", "incidents", "gateway"]) {
  const password = process.env[`${service.toUpperCase()}_PASSWORD`];
  if (!password) throw new Error(`mongodb-auth has no ${service}-password`);
  const roles = [{ role: "readWrite", db: `anbei_${service}` }];
  if (admin.getUser(service) === null) {
    admin.createUser({ user: service, pwd: password, roles });
  } else {
    admin.updateUser(service, { pwd: password, roles });
  }
}
print("replica set rs0 and the service users are ready");
