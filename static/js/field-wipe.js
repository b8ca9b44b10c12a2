// Deletes everything the field app keeps on this device: its encrypted database, its cached
// shell and its service worker. Used by the app's sign-out, by a remote wipe (the server's pack
// says `wipe`) and by any page that includes this file with data-wipe-now.
(() => {
  async function fieldWipe() {
    if (window.FieldVault) await window.FieldVault.close();
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase("ocrotire-field");
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (window.caches) {
      const keys = await caches.keys();
      await Promise.all(keys.filter((name) => name.startsWith("ocrotire-field-")).map((name) => caches.delete(name)));
    }
    if (navigator.serviceWorker) {
      const registrations = await navigator.serviceWorker.getRegistrations();
      await Promise.all(
        registrations.filter((r) => new URL(r.scope).pathname.startsWith("/outreach/field/")).map((r) => r.unregister()),
      );
    }
  }
  window.fieldWipe = fieldWipe;
  const script = document.currentScript;
  if (script && script.dataset.wipeNow !== undefined) fieldWipe();
})();
