// The field app's data on this device, encrypted at rest (WebCrypto, AES-GCM 256).
// A random data key is made on the device and stored only wrapped, by a key derived from the
// worker's PIN (PBKDF2-SHA-256, 310,000 rounds, random salt). The unwrapped key is not
// extractable and lives only in this page's memory: locking, closing the page or signing out
// drops it. Every record is sealed with its own random IV and its name as additional data.
(() => {
  const NAME = "ocrotire-field";
  const ITERATIONS = 310000;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let key = null;
  let connection = null;
  let queue = Promise.resolve();

  function database() {
    if (!connection) {
      connection = window.idb.openDB(NAME, 1, {
        upgrade(db) {
          db.createObjectStore("meta");
          db.createObjectStore("sealed");
        },
        blocking() {
          // Another page wants to delete the database (a wipe): let it.
          connection.then((db) => db.close());
          connection = null;
        },
      });
    }
    return connection;
  }

  async function pinKey(pin, salt, iterations) {
    const base = await crypto.subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", salt, iterations, hash: "SHA-256" },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["wrapKey", "unwrapKey"],
    );
  }

  async function meta() {
    return (await database()).get("meta", "vault");
  }

  async function unlock(pin) {
    const vault = await meta();
    if (!vault) return false;
    try {
      const wrapping = await pinKey(pin, vault.salt, vault.iterations);
      key = await crypto.subtle.unwrapKey(
        "raw",
        vault.wrapped,
        wrapping,
        { name: "AES-GCM", iv: vault.iv },
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
      return true;
    } catch (error) {
      key = null;
      return false;
    }
  }

  async function create(pin, user) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
    const wrapping = await pinKey(pin, salt, ITERATIONS);
    const wrapped = await crypto.subtle.wrapKey("raw", data, wrapping, { name: "AES-GCM", iv });
    const db = await database();
    const tx = db.transaction(["meta", "sealed"], "readwrite");
    await tx.objectStore("sealed").clear();
    await tx.objectStore("meta").put({ user: String(user), salt, iv, iterations: ITERATIONS, wrapped }, "vault");
    await tx.done;
    // The extractable key goes out of scope here; the one kept is unwrapped, not extractable.
    return unlock(pin);
  }

  async function write(name, value) {
    if (!key) throw new Error("locked");
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(name) },
      key,
      encoder.encode(JSON.stringify(value)),
    );
    await (await database()).put("sealed", { iv, sealed }, name);
  }

  async function read(name, fallback) {
    if (!key) throw new Error("locked");
    const record = await (await database()).get("sealed", name);
    if (!record) return fallback;
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: record.iv, additionalData: encoder.encode(name) },
      key,
      record.sealed,
    );
    return JSON.parse(decoder.decode(plain));
  }

  // Read-change-write of one record, one at a time (two quick saves never lose one).
  function update(name, fallback, change) {
    const step = queue.then(async () => {
      const value = change(await read(name, fallback));
      await write(name, value);
      return value;
    });
    queue = step.catch(() => undefined);
    return step;
  }

  function lock() {
    key = null;
  }

  async function close() {
    key = null;
    if (connection) {
      (await connection).close();
      connection = null;
    }
  }

  window.FieldVault = {
    NAME,
    meta,
    create,
    unlock,
    lock,
    close,
    isOpen: () => key !== null,
    read,
    write,
    update,
  };
})();
